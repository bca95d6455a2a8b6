import { ProblemDetailsSchema } from '@cineweave/contracts';
import type { z } from 'zod';
import { CliError, problemError, unexpectedAnswer, unreachable } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { requireKey, type Settings } from './settings.ts';

/** Longest wait for an ordinary call; uploads and streams set their own. */
const CALL_TIMEOUT_MS = 30_000;

export const USER_AGENT = `cineweave-cli/0.1.0 node/${process.versions.node}`;

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  /** A JSON body. */
  json?: unknown;
  /** A multipart body. */
  form?: FormData;
  headers?: Record<string, string>;
  /** Public routes (`/v1/pricing/quote`) are called without a key when none is configured. */
  anonymous?: boolean;
  /** Null: no time limit (event streams, which have their own idle watchdog). */
  timeoutMs?: number | null;
  /** Ends this one call early (besides Ctrl-C, which ends every call). */
  signal?: AbortSignal;
}

export interface Answer<T> {
  /** The body checked against its contract. */
  data: T;
  /** The body exactly as the API sent it: what `--json` prints. */
  body: unknown;
  response: Response;
}

/** The CineWeave API over fetch: bearer key, problem+json errors, network failures as exit code 6. */
export class ApiClient {
  readonly settings: Settings;
  /** Aborted on Ctrl-C (its reason an `interrupted()` error): every call in flight stops. */
  readonly interrupt: AbortSignal;

  constructor(settings: Settings, interrupt: AbortSignal) {
    this.settings = settings;
    this.interrupt = interrupt;
  }

  url(path: string, query: CallOptions['query'] = {}): URL {
    // Relative to the base, so an API served under a path prefix (https://host/api) keeps it.
    const url = new URL(path.replace(/^\//, ''), `${this.settings.apiUrl}/`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** The response of a call that succeeded (2xx or a redirect); any other answer is thrown. */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...options.headers };
    if (!options.anonymous || this.settings.apiKey) {
      headers.authorization = `Bearer ${requireKey(this.settings)}`;
    }
    let body: RequestInit['body'];
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form;
    }
    const timeoutMs = options.timeoutMs === undefined ? CALL_TIMEOUT_MS : options.timeoutMs;
    const signal = AbortSignal.any([
      this.interrupt,
      ...(timeoutMs === null ? [] : [AbortSignal.timeout(timeoutMs)]),
      ...(options.signal ? [options.signal] : []),
    ]);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal, redirect: 'manual' });
    } catch (error) {
      if (this.interrupt.aborted) throw this.interrupt.reason;
      throw unreachable(url.origin + url.pathname, error);
    }
    if (response.status >= 400) throw await errorFrom(response, url);
    return response;
  }

  async get<T>(path: string, schema: z.ZodType<T>, options: CallOptions = {}): Promise<Answer<T>> {
    return this.parse(await this.call('GET', path, options), schema);
  }

  async post<T>(path: string, schema: z.ZodType<T>, options: CallOptions = {}): Promise<Answer<T>> {
    return this.parse(await this.call('POST', path, options), schema);
  }

  private async parse<T>(response: Response, schema: z.ZodType<T>): Promise<Answer<T>> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw notUnderstood(response.url, 'its answer is not JSON');
    }
    const checked = schema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw notUnderstood(response.url, `${issue?.path.join('.') || 'the body'}: ${issue?.message}`);
    }
    return { data: checked.data, body, response };
  }
}

function notUnderstood(url: string, why: string): CliError {
  return new CliError(
    ExitCode.ApiError,
    'The API answered something this CLI does not understand',
    `${url}: ${why}.`,
    {
      hint: 'The API may be a different version than this CLI; update the CLI, or check --api-url.',
    },
  );
}

/** A problem+json answer as the API's own problem; anything else described as it came. */
export async function errorFrom(response: Response, url: URL): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: a proxy's page or an older server.
  }
  const problem = ProblemDetailsSchema.safeParse(parsed);
  if (problem.success) {
    const retryAfter = response.headers.get('retry-after');
    return problemError(
      problem.data,
      problem.data.code === 'RATE_LIMITED' && retryAfter ? `Wait ${retryAfter} s and try again.` : undefined,
    );
  }
  return unexpectedAnswer(response.status, response.statusText, url.origin + url.pathname, text);
}
