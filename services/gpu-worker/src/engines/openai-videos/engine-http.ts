/** One answer of the engine server, read whole. */
export interface EngineResponse {
  status: number;
  text: string;
  json: unknown;
}

/**
 * HTTP to the engine server: every request bounded in time, so a hung server cannot hold a job.
 * Fetch's own errors say little ("fetch failed"); describeError digs out the cause.
 */
export class EngineHttp {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, apiKey: string | undefined, timeoutMs: number) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.apiKey = apiKey;
    this.timeoutMs = timeoutMs;
  }

  async request(
    method: string,
    path: string,
    options: { body?: FormData; timeoutMs?: number } = {},
  ): Promise<EngineResponse> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: this.headers(),
      body: options.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  }

  /**
   * A streamed GET that is aborted by `signal`, or when no byte arrives for `idleMs` (the caller
   * calls `touch` on every chunk).
   */
  async stream(
    path: string,
    options: { signal: AbortSignal; idleMs: number },
  ): Promise<{ response: Response; touch(): void; done(): void }> {
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(new IdleTimeout(options.idleMs)), options.idleMs);
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new IdleTimeout(options.idleMs)), options.idleMs);
    };
    const done = () => clearTimeout(timer);
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        headers: this.headers(),
        signal: AbortSignal.any([options.signal, idle.signal]),
      });
      touch();
      return { response, touch, done };
    } catch (error) {
      done();
      throw idle.signal.aborted ? idle.signal.reason : error;
    }
  }

  private headers(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }
}

class IdleTimeout extends Error {
  constructor(ms: number) {
    super(`no data for ${ms / 1000} s`);
  }
}

/** What the server said went wrong: vLLM's `{error: {message}}`, FastAPI's `{detail}`, or a job's `error`. */
export function engineErrorMessage(response: EngineResponse): string {
  const json = response.json as
    { error?: { message?: unknown } | string; detail?: unknown; message?: unknown } | undefined;
  const candidates = [
    typeof json?.error === 'object' ? json.error?.message : json?.error,
    typeof json?.detail === 'string' ? json.detail : json?.detail ? JSON.stringify(json.detail) : undefined,
    json?.message,
    response.text.slice(0, 300),
  ];
  const message = candidates.find((candidate) => typeof candidate === 'string' && candidate.trim() !== '');
  return `${response.status} ${(message as string | undefined)?.trim() ?? 'with no message'}`;
}

/** A network error in words: "connect ECONNREFUSED 127.0.0.1:8000", "no answer within 5 s". */
export function describeError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  if (error instanceof Error) {
    const cause = error.cause as { code?: string; message?: string } | undefined;
    if (cause?.message) return cause.message;
    if (cause?.code) return cause.code;
    return error.message;
  }
  return String(error);
}
