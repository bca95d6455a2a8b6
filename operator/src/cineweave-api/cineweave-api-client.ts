import type {
  InternalCreateJobRequest,
  InternalJobView,
  JobView,
  ProblemDetails,
  QueueStats,
} from '@cineweave/contracts';
import { InternalJobViewSchema, JobViewSchema, QueueStatsSchema } from '@cineweave/contracts';

/** The API refused the request (4xx): it will refuse it again, so the caller must not retry. */
export class ApiRefusal extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly detail: string;

  constructor(status: number, code: string | undefined, detail: string) {
    super(`The CineWeave API refused the request (${status}${code ? ` ${code}` : ''}): ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
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

  async queueStats(): Promise<QueueStats> {
    return QueueStatsSchema.parse(await this.call('GET', '/internal/v1/queues/stats'));
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    this.observer?.(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')}`);
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
    throw new ApiRefusal(response.status, problem.code, detail);
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
