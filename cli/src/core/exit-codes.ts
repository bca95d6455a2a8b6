import type { ErrorCode } from '@cineweave/contracts';

/**
 * What a script can rely on after `cineweave …` returns. Documented in the README; never renumber,
 * only add.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** The job being waited for or watched ended failed, cancelled or expired. */
  JobUnsuccessful: 1,
  /** The command line, or the request it made, is not valid (the API answered 400, 413, 415 or 422). */
  Usage: 2,
  /** No API key, or the API refused it (401, 403). */
  Auth: 3,
  /** No such job, or its outputs are gone (404, 410). */
  NotFound: 4,
  /** Not enough credits, too many active jobs or too many requests (402, 429). */
  Limits: 5,
  /** The API (or the store behind a download) could not be reached or is unavailable (502, 503, 504). */
  Unavailable: 6,
  /**
   * Any other answer from the API (a conflicting state, a server error, an answer not understood),
   * and any other failure (a Node.js older than 24, a bug of the CLI).
   */
  ApiError: 7,
  /** Interrupted with Ctrl-C (128 + SIGINT); a job being waited for keeps running. */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

const BY_CODE: Partial<Record<ErrorCode, ExitCode>> = {
  VALIDATION_FAILED: ExitCode.Usage,
  MALFORMED_JSON: ExitCode.Usage,
  PAYLOAD_TOO_LARGE: ExitCode.Usage,
  UNSUPPORTED_MEDIA_TYPE: ExitCode.Usage,
  UNPROCESSABLE: ExitCode.Usage,
  IDEMPOTENCY_KEY_REUSED: ExitCode.Usage,
  UNAUTHENTICATED: ExitCode.Auth,
  FORBIDDEN: ExitCode.Auth,
  NOT_FOUND: ExitCode.NotFound,
  GONE: ExitCode.NotFound,
  INSUFFICIENT_CREDITS: ExitCode.Limits,
  ACTIVE_JOB_LIMIT: ExitCode.Limits,
  RATE_LIMITED: ExitCode.Limits,
  UPSTREAM_FAILED: ExitCode.Unavailable,
  SERVICE_UNAVAILABLE: ExitCode.Unavailable,
};

/** The exit code for an error answer: by its problem code when it has one, else by HTTP status. */
export function exitCodeForProblem(status: number, code?: ErrorCode): ExitCode {
  const byCode = code ? BY_CODE[code] : undefined;
  if (byCode !== undefined) return byCode;
  // A proxy or load balancer in front of the API answers without a problem body.
  if (status === 502 || status === 503 || status === 504) return ExitCode.Unavailable;
  if (status === 401 || status === 403) return ExitCode.Auth;
  if (status === 404 || status === 410) return ExitCode.NotFound;
  if (status === 402 || status === 429) return ExitCode.Limits;
  if (status === 400 || status === 413 || status === 415 || status === 422) return ExitCode.Usage;
  return ExitCode.ApiError;
}
