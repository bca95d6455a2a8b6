import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, ProblemDetailsSchema, fieldErrors, problemType } from './error-codes.ts';

describe('ERROR_CODES', () => {
  it('should map every code to a 4xx or 5xx status', () => {
    for (const { status } of Object.values(ERROR_CODES)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('should give each code its own problem type', () => {
    const types = Object.keys(ERROR_CODES).map((code) => problemType(code as keyof typeof ERROR_CODES));
    expect(new Set(types).size).toBe(types.length);
    expect(problemType('INSUFFICIENT_CREDITS')).toBe('https://cineweave.io/problems/insufficient-credits');
  });
});

describe('ProblemDetailsSchema', () => {
  it('should accept an RFC 9457 body with field errors', () => {
    const problem = {
      type: problemType('VALIDATION_FAILED'),
      title: 'The request is not valid',
      status: 400,
      detail: 'durationSeconds must be at most 10',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'durationSeconds', message: 'durationSeconds must be at most 10' }],
    };
    expect(ProblemDetailsSchema.parse(problem)).toEqual(problem);
  });

  it.each([
    ['a 2xx status', { status: 200 }],
    ['an unknown code', { code: 'OOPS' }],
    ['no detail', { detail: undefined }],
  ])('should reject %s', (_case, change) => {
    const problem = { type: 't', title: 't', status: 400, detail: 'd', code: 'VALIDATION_FAILED', ...change };
    expect(ProblemDetailsSchema.safeParse(problem).success).toBe(false);
  });
});

describe('fieldErrors', () => {
  it('should name each field by its dotted path', () => {
    const schema = z.object({ image: z.object({ url: z.string() }), steps: z.int() });
    const result = schema.safeParse({ image: { url: 1 }, steps: 'x' });
    expect(fieldErrors(result.error?.issues ?? []).map((error) => error.field)).toEqual([
      'image.url',
      'steps',
    ]);
  });

  it('should name a problem with the whole body (body)', () => {
    expect(fieldErrors([{ path: [], message: 'Expected object' }])).toEqual([
      { field: '(body)', message: 'Expected object' },
    ]);
  });
});
