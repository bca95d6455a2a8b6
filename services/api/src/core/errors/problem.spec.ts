import { describe, expect, it } from 'vitest';
import { ProblemDetailsSchema } from '@cineweave/contracts';
import { problem } from './problem.ts';

describe(problem.name, () => {
  it('should build an RFC 9457 body with the status and title of the code when given a code', () => {
    const body = problem('INSUFFICIENT_CREDITS', 'This job costs 50 credits.', [
      { field: 'durationSeconds', message: 'too long' },
    ]);
    expect(ProblemDetailsSchema.parse(body)).toEqual({
      type: 'https://cineweave.io/problems/insufficient-credits',
      title: 'Not enough credits',
      status: 402,
      detail: 'This job costs 50 credits.',
      code: 'INSUFFICIENT_CREDITS',
      errors: [{ field: 'durationSeconds', message: 'too long' }],
    });
  });
});
