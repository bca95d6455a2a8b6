import { describe, expect, it } from 'vitest';
import { InternalCreateJobRequestSchema } from './api-shapes.ts';

describe('InternalCreateJobRequestSchema', () => {
  it('should apply the VideoJob defaults (priority; the rest comes from the model) when the spec names only a prompt', () => {
    const parsed = InternalCreateJobRequestSchema.parse({
      uid: 'abc',
      userId: 'user_1',
      spec: { prompt: 'a cat' },
    });
    expect(parsed.spec.durationSeconds).toBeUndefined();
    expect(parsed.spec.priority).toBe(50);
  });

  it('should refuse unknown fields when the operator sends them', () => {
    expect(
      InternalCreateJobRequestSchema.safeParse({ uid: 'a', userId: 'u', spec: { prompt: 'x' }, extra: 1 })
        .success,
    ).toBe(false);
  });
});
