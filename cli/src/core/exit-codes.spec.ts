import { ERROR_CODES, type ErrorCode } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeForProblem } from './exit-codes.ts';

describe(exitCodeForProblem.name, () => {
  it.each([
    ['VALIDATION_FAILED', ExitCode.Usage],
    ['IDEMPOTENCY_KEY_REUSED', ExitCode.Usage],
    ['UNAUTHENTICATED', ExitCode.Auth],
    ['FORBIDDEN', ExitCode.Auth],
    ['NOT_FOUND', ExitCode.NotFound],
    ['GONE', ExitCode.NotFound],
    ['INSUFFICIENT_CREDITS', ExitCode.Limits],
    ['ACTIVE_JOB_LIMIT', ExitCode.Limits],
    ['RATE_LIMITED', ExitCode.Limits],
    ['SERVICE_UNAVAILABLE', ExitCode.Unavailable],
    ['INVALID_STATE', ExitCode.ApiError],
    ['INTERNAL', ExitCode.ApiError],
  ] as [ErrorCode, ExitCode][])('should exit %s with %i', (code, exitCode) => {
    expect(exitCodeForProblem(ERROR_CODES[code].status, code)).toBe(exitCode);
  });

  it('should give every problem code of the contracts a documented exit code', () => {
    const documented: number[] = Object.values(ExitCode);
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(documented).toContain(exitCodeForProblem(status, code as ErrorCode));
    }
  });

  it.each([
    [502, ExitCode.Unavailable],
    [504, ExitCode.Unavailable],
    [401, ExitCode.Auth],
    [404, ExitCode.NotFound],
    [402, ExitCode.Limits],
    [413, ExitCode.Usage],
    [500, ExitCode.ApiError],
    [418, ExitCode.ApiError],
  ])('should exit an answer %i without problem details with %i', (status, exitCode) => {
    expect(exitCodeForProblem(status)).toBe(exitCode);
  });
});
