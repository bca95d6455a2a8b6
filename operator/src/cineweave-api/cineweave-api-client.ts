import type {
  InternalCreateJobRequest,
  InternalJobView,
  InternalPersonalTeam,
  JobView,
  LimitRefusal,
  ProblemDetails,
  QueueStats,
} from '@cineweave/contracts';
import {
  InternalJobViewSchema,
  InternalPersonalTeamSchema,
  JobViewSchema,
  LimitRefusalSchema,
  QueueStatsSchema,
} from '@cineweave/contracts';

/**
 * The API refused the request (4xx): the same request is refused again until something changes
 * (a team limit frees, a namespace annotation is fixed), so the caller decides when to retry.
 */
export class ApiRefusal extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly detail: string;
  /** ACTIVE_JOB_LIMIT and QUOTA_EXHAUSTED: the team limit that refused (problem extension `limit`). */
  readonly limit: LimitRefusal | undefined;
  /** The Retry-After header, in milliseconds, when the API sent one in seconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    code: string | undefined,
    detail: string,
    extra: { limit?: LimitRefusal; retryAfterMs?: number } = {},
  ) {
    super(`The CineWeave API refused the request (${status}${code ? ` ${code}` : ''}): ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.limit = extra.limit;
    this.retryAfterMs = extra.retryAfterMs;
    this.name = 'ApiRefusal';
  }
}

/** The API could not be reached or failed (network error, 5xx): retry later. */
export class ApiUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiUnavailable';
  }
}

export type ApiCallObserver = (route: string) => void;

/** The CineWeave API's internal routes, called with the operator's bearer token. */
export class CineweaveApiClient {
  observer: ApiCallObserver | undefined;

  private readonly baseUrl: string;
  private readonly token: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, token: string, timeoutMs = 10_000) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.timeoutMs = timeoutMs;
  }

  /** Submits a VideoJob; the CR uid makes a repeated submission return the first job. */
  async submit(request: InternalCreateJobRequest): Promise<InternalJobView> {
    return InternalJobViewSchema.parse(await this.call('POST', '/internal/v1/jobs', request));
  }

  async getJob(jobId: string): Promise<InternalJobView> {
    return InternalJobViewSchema.parse(
      await this.call('GET', `/internal/v1/jobs/${encodeURIComponent(jobId)}`),
    );
  }

  /** Cancels a queued or running job; a finished job is left as it is. */
  async cancel(jobId: string): Promise<JobView> {
    return JobViewSchema.parse(
      await this.call('POST', `/internal/v1/jobs/${encodeURIComponent(jobId)}/cancel`),
    );
  }

  /** The personal team of a user named by the deprecated `cineweave.io/account` annotation. */
  async personalTeam(userId: string): Promise<InternalPersonalTeam> {
    return InternalPersonalTeamSchema.parse(
      await this.call('GET', `/internal/v1/users/${encodeURIComponent(userId)}/personal-team`),
    );
  }

  async queueStats(): Promise<QueueStats> {
    return QueueStatsSchema.parse(await this.call('GET', '/internal/v1/queues/stats'));
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    // Route labels stay few: ids (and user ids) are replaced by placeholders.
    this.observer?.(
      `${method} ${path.replace(/[0-9a-f-]{36}/g, ':id').replace(/\/users\/[^/]+\//, '/users/:userId/')}`,
    );
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ApiUnavailable(
        `Could not reach the CineWeave API at ${this.baseUrl}: ${(error as Error).cause ? String((error as Error).cause) : (error as Error).message}`,
      );
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (response.ok) return parsed;
    // Not parsed strictly: a proxy in front of the API may answer 5xx/429 with a body of its own.
    const problem = (parsed ?? {}) as Partial<ProblemDetails>;
    const detail = problem.detail ?? problem.title ?? (text.slice(0, 200) || response.statusText);
    // 408 and 429-without-a-code are transient; other 4xx mean the request itself is refused.
    if (
      response.status >= 500 ||
      response.status === 408 ||
      (response.status === 429 && problem.code === 'RATE_LIMITED')
    ) {
      throw new ApiUnavailable(
        `The CineWeave API answered ${response.status} to ${method} ${path}: ${detail}`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new ApiUnavailable(
        `The CineWeave API rejected the operator's token (${response.status}): check INTERNAL_TOKEN matches the API's.`,
      );
    }
    // A malformed extension is ignored rather than fatal: the refusal itself still stands.
    const limit = LimitRefusalSchema.safeParse(problem.limit);
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    throw new ApiRefusal(response.status, problem.code, detail, {
      ...(limit.success ? { limit: limit.data } : {}),
      ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
