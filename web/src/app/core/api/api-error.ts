import type { ErrorCode, FieldError, ProblemDetails } from '@cineweave/contracts';

/**
 * A failed API call, carrying the problem+json body when the API sent one so pages can show
 * its `detail` and put each `errors[]` entry next to the field it concerns.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails | null,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get detail(): string {
    return this.message;
  }

  get code(): ErrorCode | null {
    return this.problem?.code ?? null;
  }

  get fieldErrors(): readonly FieldError[] {
    return this.problem?.errors ?? [];
  }

  /** The first message for each field, keyed by the field's path (e.g. `durationSeconds`). */
  fieldMessages(): Record<string, string> {
    const messages: Record<string, string> = {};
    for (const { field, message } of this.fieldErrors) messages[field] ??= message;
    return messages;
  }

  static async fromResponse(response: Response): Promise<ApiError> {
    const problem = await readProblem(response);
    const retryAfter = Number(response.headers.get('retry-after'));
    return new ApiError(
      response.status,
      problem,
      problem?.detail || problem?.title || fallbackMessage(response.status),
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    );
  }

  static network(url: string): ApiError {
    return new ApiError(
      0,
      null,
      `Could not reach the CineWeave API (${url}). Check your connection and try again.`,
    );
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** What to tell a person about any error a page caught. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}

async function readProblem(response: Response): Promise<ProblemDetails | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const value = body as Record<string, unknown>;
  const errors = Array.isArray(value['errors'])
    ? (value['errors'] as unknown[]).flatMap((entry) => {
        if (typeof entry !== 'object' || entry === null) return [];
        const { field, message } = entry as Record<string, unknown>;
        return typeof message === 'string'
          ? [{ field: typeof field === 'string' ? field : '(body)', message }]
          : [];
      })
    : [];
  return {
    type: typeof value['type'] === 'string' ? value['type'] : 'about:blank',
    title: typeof value['title'] === 'string' ? value['title'] : fallbackMessage(response.status),
    status: typeof value['status'] === 'number' ? value['status'] : response.status,
    detail: typeof value['detail'] === 'string' ? value['detail'] : '',
    code: (typeof value['code'] === 'string' ? value['code'] : 'INTERNAL') as ErrorCode,
    errors,
  };
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again to continue.';
  if (status === 403) return 'Your account is not allowed to do this.';
  if (status === 404) return 'We could not find what you asked for.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return 'The CineWeave API had a problem. Try again in a moment.';
  return `The request failed (HTTP ${status}).`;
}
