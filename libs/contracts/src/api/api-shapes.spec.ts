import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { ApiKeyListSchema, type ApiKeyView } from './account-views.ts';
import { InternalCreateJobRequestSchema, type JobView, type List, type Page } from './api-shapes.ts';
import { JobPageSchema } from './job-views.ts';

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

describe('Page and List', () => {
  it('should be the shapes pageOf and listOf parse, so clients typed with them read what the API sends', () => {
    expectTypeOf<z.infer<typeof JobPageSchema>>().toEqualTypeOf<Page<JobView>>();
    expectTypeOf<z.infer<typeof ApiKeyListSchema>>().toEqualTypeOf<List<ApiKeyView>>();
    expect(JobPageSchema.safeParse({ items: [] }).success).toBe(false);
    expect(ApiKeyListSchema.parse({ items: [] })).toEqual({ items: [] });
  });
});
