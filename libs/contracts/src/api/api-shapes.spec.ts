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

  it('should take a team with its namespace, or a legacy user, and exactly one of them', () => {
    const spec = { prompt: 'a cat' };
    const teamId = '0b9d4c3e-5a61-4f7e-9c2d-8e1f0a2b3c4d';
    expect(
      InternalCreateJobRequestSchema.safeParse({ uid: 'a', teamId, namespace: 'team-a', spec }).success,
    ).toBe(true);
    const bare = InternalCreateJobRequestSchema.safeParse({ uid: 'a', teamId, spec });
    expect(bare.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['namespace']);
    const both = InternalCreateJobRequestSchema.safeParse({
      uid: 'a',
      teamId,
      userId: 'u',
      namespace: 'n',
      spec,
    });
    expect(both.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['teamId']);
    expect(InternalCreateJobRequestSchema.safeParse({ uid: 'a', spec }).success).toBe(false);
    expect(
      InternalCreateJobRequestSchema.safeParse({ uid: 'a', teamId, namespace: 'Team_A', spec }).success,
    ).toBe(false);
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
