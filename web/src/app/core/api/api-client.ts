import { Injectable, InjectionToken, inject } from '@angular/core';
import { AuthTokens } from '../auth/auth-tokens';
import { RUNTIME_CONFIG } from '../config/runtime-config';
import { ActingTeam, TEAM_HEADER } from '../teams/acting-team';
import { ApiError } from './api-error';

/** `fetch`, injectable so tests hand in a fake and the SSE reader shares the same one. */
export const FETCH = new InjectionToken<typeof fetch>('FETCH', {
  providedIn: 'root',
  factory: () => globalThis.fetch.bind(globalThis),
});

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Public routes (config, plans) are called without a token. */
  anonymous?: boolean;
  /** `text`: the body as a string (a CSV export) instead of parsed JSON. */
  as?: 'json' | 'text';
  /**
   * The team the call acts for: left out, the team chosen in the switcher; a team id for calls
   * about that team (its page); null for calls about the person, not a team (their list of teams).
   */
  team?: string | null;
}

/** Thin JSON-over-fetch client: base URL, bearer token, acting team, problem+json errors. */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly fetchFn = inject(FETCH);
  private readonly tokens = inject(AuthTokens);
  private readonly acting = inject(ActingTeam);
  private readonly baseUrl = inject(RUNTIME_CONFIG).apiBaseUrl;

  url(path: string, query: Record<string, QueryValue> = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  patch<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  delete<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  /** Headers every authenticated call carries (token and acting team); also used by the event stream and media. */
  async authHeaders(team: string | null | undefined = undefined): Promise<Record<string, string>> {
    const authorization = await this.tokens.authorization();
    const teamId = team === undefined ? this.acting.id() : team;
    return {
      ...(authorization ? { authorization } : {}),
      ...(authorization && teamId ? { [TEAM_HEADER]: teamId } : {}),
    };
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...(options.anonymous ? {} : await this.authHeaders(options.team)),
      ...options.headers,
    };
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) {
      body = options.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }

    let response: Response;
    try {
      response = await this.fetchFn(url, { method, headers, body, signal: options.signal });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') throw error;
      throw ApiError.network(url);
    }

    if (!response.ok) {
      if (response.status === 401 && !options.anonymous) this.tokens.markExpired();
      // Acting for the switcher's team and told "not found": perhaps the team is gone from under us.
      // (Once: a 404 for a team we have already moved away from says nothing new.)
      if (response.status === 404 && options.team === undefined && headers[TEAM_HEADER] === this.acting.id())
        void this.acting.suspect();
      throw await ApiError.fromResponse(response);
    }
    if (options.as === 'text') return (await response.text()) as T;
    if (response.status === 204 || response.headers.get('content-length') === '0') return undefined as T;
    return (await response.json()) as T;
  }
}
