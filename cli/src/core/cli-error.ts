import type { ErrorCode, FieldError, ProblemDetails } from '@cineweave/contracts';
import { ExitCode, exitCodeForProblem } from './exit-codes.ts';

export interface CliErrorExtra {
  /** What to do about it, in one or two sentences. */
  hint?: string;
  /** The API's problem details, when the API answered with one. */
  problem?: ProblemDetails;
  fieldErrors?: FieldError[];
}

/** Something the person running the command must hear about, and the code the process exits with. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly title: string;
  readonly detail: string;
  readonly extra: CliErrorExtra;

  constructor(exitCode: ExitCode, title: string, detail: string, extra: CliErrorExtra = {}) {
    super(`${title}: ${detail}`);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.title = title;
    this.detail = detail;
    this.extra = extra;
  }

  /** The stable JSON shape of an error on stderr under `--json`. */
  toJSON(): Record<string, unknown> {
    return {
      error: {
        exitCode: this.exitCode,
        title: this.title,
        detail: this.detail,
        ...(this.extra.hint ? { hint: this.extra.hint } : {}),
        ...(this.extra.fieldErrors?.length ? { errors: this.extra.fieldErrors } : {}),
        ...(this.extra.problem ? { problem: this.extra.problem } : {}),
      },
    };
  }
}

export function usageError(detail: string, hint?: string, fieldErrors?: FieldError[]): CliError {
  return new CliError(ExitCode.Usage, 'Invalid command line', detail, { hint, fieldErrors });
}

const HINTS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED:
    'Create an API key in the portal (Account → API keys), then run `cineweave login` or set CINEWEAVE_API_KEY.',
  FORBIDDEN: 'This key may not do that; ask an administrator, or use a key of an account that may.',
  INSUFFICIENT_CREDITS:
    'Top up or ask an administrator for credits, or make the video shorter or smaller: `cineweave quote` shows prices, `cineweave credits` your balance.',
  ACTIVE_JOB_LIMIT:
    'Wait for one of your jobs to finish (`cineweave ls --status running`), or cancel one with `cineweave cancel <id>`.',
  RATE_LIMITED: 'Wait a minute and try again.',
  NOT_FOUND: '`cineweave ls` lists your jobs and their ids.',
  GONE: 'Outputs are kept for a limited time only; create the video again.',
  VALIDATION_FAILED:
    'Fix what is listed above; `cineweave <command> --help` shows every option and its limits.',
  UNPROCESSABLE: 'Fix what is listed above and try again.',
  PAYLOAD_TOO_LARGE: 'Send a smaller file: images are accepted up to 10 MB and 4096×4096.',
  UNSUPPORTED_MEDIA_TYPE: 'Send a PNG, JPEG or WebP image.',
  IDEMPOTENCY_KEY_REUSED:
    'Use a new --idempotency-key, or repeat exactly the same request. With --image, every run uploads the file anew: pass --image-upload-id <id> (printed by the first run) to repeat a request.',
  IDEMPOTENCY_KEY_IN_FLIGHT: 'The first request with this key is still being handled; try again in a moment.',
  INVALID_STATE: '`cineweave status <id>` shows where the job is.',
  INTERNAL: 'The API failed unexpectedly; try again, and tell its operator if it keeps failing.',
  SERVICE_UNAVAILABLE: 'The API is starting or a service it needs is down; try again shortly.',
  UPSTREAM_FAILED: 'A service behind the API failed; try again shortly.',
};

/** A CliError from the API's problem+json answer, with what to do about it. */
export function problemError(problem: ProblemDetails, hintOverride?: string): CliError {
  const hint = hintOverride ?? HINTS[problem.code] ?? (problem.status >= 500 ? HINTS.INTERNAL : undefined);
  return new CliError(exitCodeForProblem(problem.status, problem.code), problem.title, problem.detail, {
    hint,
    problem,
    fieldErrors: problem.errors,
  });
}

/** The answer was an error, but not problem+json (a proxy's page, an older server). */
export function unexpectedAnswer(status: number, statusText: string, url: string, body: string): CliError {
  const excerpt = body.trim().replace(/\s+/g, ' ').slice(0, 200);
  return new CliError(
    exitCodeForProblem(status),
    `The API answered ${status} ${statusText}`.trim(),
    `${url} answered without problem details${excerpt ? `: ${excerpt}` : '.'}`,
    {
      hint:
        status >= 500
          ? 'The API or a proxy in front of it is failing; try again shortly.'
          : 'Check that --api-url (or CINEWEAVE_API_URL) is the CineWeave API, not the portal or another service.',
    },
  );
}

export function unreachable(url: string, cause: unknown): CliError {
  return new CliError(
    ExitCode.Unavailable,
    'Could not reach the CineWeave API',
    `${url}: ${describeNetworkError(cause)}`,
    { hint: 'Check that the API is running and that --api-url (or CINEWEAVE_API_URL) points at it.' },
  );
}

/** `fetch failed` says nothing; its cause (ECONNREFUSED, ENOTFOUND, a timeout) says what happened. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (cause instanceof AggregateError && cause.errors.length > 0) {
      return describeNetworkError(cause.errors[0]);
    }
    return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}

/** The reason Ctrl-C aborts with: calls in flight end, and the command exits 130. */
export function interrupted(): CliError {
  return new CliError(ExitCode.Interrupted, 'Interrupted', 'Stopped on Ctrl-C.');
}
