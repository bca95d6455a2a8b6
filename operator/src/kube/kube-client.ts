import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject, KubeList, WatchEvent } from './kube-object.ts';

export const PATCH = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** A non-2xx answer of the Kubernetes API, with the `Status` reason (NotFound, Conflict, Expired...). */
export class KubeApiError extends Error {
  readonly statusCode: number;
  readonly reason: string;

  constructor(statusCode: number, reason: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.reason = reason;
    this.name = 'KubeApiError';
  }
}

/** A watch stream that stayed silent past its deadline: the connection is presumed dead. */
export class WatchIdleError extends Error {
  constructor(path: string, idleMs: number) {
    super(
      `The watch of ${path} received nothing for ${Math.round(idleMs / 1000)} s, longer than the server was asked to keep it open; the connection is presumed dead`,
    );
    this.name = 'WatchIdleError';
  }
}

export interface KubeClientOptions {
  /**
   * How long a watch may stay silent beyond the `timeoutSeconds` it asked the server for before the
   * connection is presumed dead (default 60 s). A healthy server ends the stream at timeoutSeconds
   * and sends bookmarks about once a minute (the watch cache's defaultBookmarkFrequency), so this
   * fires only on a connection that died without a FIN.
   */
  watchGraceMs?: number;
  /** The read-idle deadline of a watch without `timeoutSeconds` (default 10 minutes). */
  watchIdleMs?: number;
}

export function isKubeStatus(error: unknown, statusCode: number): boolean {
  return error instanceof KubeApiError && error.statusCode === statusCode;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

/** Counts every call by verb so tests and the bench can tell how many the operator made. */
export type RequestObserver = (method: string, path: string) => void;

/**
 * A small JSON client for the Kubernetes REST API. client-node's generated clients need per-call
 * middleware to send merge patches or server-side apply; here the content type is just a field.
 * Authentication and TLS come from the KubeConfig (kubeconfig file or in-cluster service account).
 */
export class KubeClient {
  private readonly server: URL;
  observer: RequestObserver | undefined;
  private readonly agents = new Map<string, HttpAgent>();
  private readonly watchGraceMs: number;
  private readonly watchIdleMs: number;

  readonly config: KubeConfig;

  constructor(config: KubeConfig, options: KubeClientOptions = {}) {
    this.config = config;
    const cluster = config.getCurrentCluster();
    if (!cluster)
      throw new Error('The kubeconfig has no current cluster: set current-context or KUBECONFIG.');
    this.server = new URL(cluster.server);
    this.watchGraceMs = options.watchGraceMs ?? 60_000;
    this.watchIdleMs = options.watchIdleMs ?? 600_000;
  }

  private url(path: string, query: RequestSpec['query'] = {}): URL {
    const url = new URL(this.server.pathname.replace(/\/$/, '') + path, this.server);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request<T = KubeObject>(spec: RequestSpec): Promise<T> {
    this.observer?.(spec.method, spec.path);
    const url = this.url(spec.path, spec.query);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const options: RequestOptions = {
      method: spec.method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined
          ? {
              'Content-Type': spec.contentType ?? 'application/json',
              'Content-Length': Buffer.byteLength(body),
            }
          : {}),
      },
    };
    await this.config.applyToHTTPSOptions(options);
    // client-node's agent opens a connection (and a TLS handshake) per request; keep them alive instead.
    options.agent = this.agentFor(url.protocol, options, 'request');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            parsed = { message: text };
          }
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const details = parsed as { reason?: string; message?: string };
          reject(
            new KubeApiError(
              status,
              details.reason ?? 'Unknown',
              `${spec.method} ${spec.path} answered ${status}: ${details.message ?? text}`,
            ),
          );
        });
      });
      req.setTimeout(30_000, () =>
        req.destroy(new Error(`${spec.method} ${spec.path} timed out after 30 s`)),
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /**
   * Keep-alive agents, one per protocol and use: requests share a bounded pool, while every watch
   * holds its own connection for minutes and must never starve (or be starved by) requests.
   */
  private agentFor(protocol: string, options: RequestOptions, use: 'request' | 'watch'): HttpAgent {
    const key = `${protocol}${use}`;
    let agent = this.agents.get(key);
    if (agent) return agent;
    const maxSockets = use === 'request' ? 64 : Infinity;
    // TLS material comes from the kubeconfig (or the service account's CA) and does not change.
    agent =
      protocol !== 'https:'
        ? new HttpAgent({ keepAlive: true, maxSockets })
        : new HttpsAgent({
            keepAlive: true,
            maxSockets,
            ca: options.ca,
            cert: options.cert,
            key: options.key,
            pfx: options.pfx,
            passphrase: options.passphrase,
            servername: options.servername,
            ...(options.rejectUnauthorized !== undefined
              ? { rejectUnauthorized: options.rejectUnauthorized }
              : {}),
          });
    this.agents.set(key, agent);
    return agent;
  }

  get<T extends KubeObject = KubeObject>(path: string): Promise<T> {
    return this.request<T>({ method: 'GET', path });
  }

  list<T extends KubeObject = KubeObject>(
    path: string,
    query: RequestSpec['query'] = {},
  ): Promise<KubeList<T>> {
    return this.request<KubeList<T>>({ method: 'GET', path, query });
  }

  create<T extends KubeObject = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.request<T>({ method: 'POST', path, body });
  }

  replace<T extends KubeObject = KubeObject>(path: string, body: unknown): Promise<T> {
    return this.request<T>({ method: 'PUT', path, body });
  }

  mergePatch<T extends KubeObject = KubeObject>(path: string, patch: unknown): Promise<T> {
    return this.request<T>({ method: 'PATCH', path, body: patch, contentType: PATCH.merge });
  }

  jsonPatch<T extends KubeObject = KubeObject>(path: string, operations: unknown[]): Promise<T> {
    return this.request<T>({ method: 'PATCH', path, body: operations, contentType: PATCH.json });
  }

  /** Server-side apply: the object is JSON, which is valid YAML. */
  apply<T extends KubeObject = KubeObject>(path: string, object: unknown, fieldManager: string): Promise<T> {
    return this.request<T>({
      method: 'PATCH',
      path,
      body: object,
      contentType: PATCH.apply,
      query: { fieldManager, force: true },
    });
  }

  /**
   * Opens a watch stream; `done` is called once when it ends: with null when the server closed it
   * or the caller aborted it, with the error otherwise (an HTTP status as `statusCode`). Resolves
   * to the controller that aborts it.
   *
   * There is no fixed client-side timeout (client-node's Watch aborts any stream silent for 30 s,
   * although the apiserver sends bookmarks only once a minute): the stream lasts as long as the
   * server keeps it, and only silence past the requested `timeoutSeconds` plus a grace counts as a
   * dead connection. TCP keep-alive probes the idle socket in between.
   */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: WatchEvent) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    this.observer?.('WATCH', path);
    const controller = new AbortController();
    const url = this.url(path, { ...query, watch: true });
    const timeoutSeconds = Number(query.timeoutSeconds);
    const idleMs =
      Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
        ? timeoutSeconds * 1000 + this.watchGraceMs
        : this.watchIdleMs;
    const options: RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.config.applyToHTTPSOptions(options);
    options.agent = this.agentFor(url.protocol, options, 'watch');
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

    let finished = false;
    let idle: NodeJS.Timeout | undefined;
    let failure: Error | undefined;
    const finish = (error: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      controller.signal.removeEventListener('abort', onAbort);
      done(error);
    };
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        failure = new WatchIdleError(path, idleMs);
        request.destroy(failure);
      }, idleMs);
    };
    const onAbort = (): void => {
      request.destroy();
      finish(null);
    };
    controller.signal.addEventListener('abort', onAbort, { once: true });

    // The handlers above reach `request` only after this line has run (timers, events).
    const request: ClientRequest = send(url, options, (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => finish(failure ?? error));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let details: { reason?: string; message?: string } = {};
          try {
            details = JSON.parse(text) as typeof details;
          } catch {
            details = { message: text };
          }
          finish(
            new KubeApiError(
              status,
              details.reason ?? 'Unknown',
              `WATCH ${path} answered ${status}: ${details.message ?? text}`,
            ),
          );
        });
        return;
      }
      armIdle();
      response.on('data', armIdle);
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (!line.trim()) return;
        try {
          onEvent(JSON.parse(line) as WatchEvent);
        } catch {
          // A line that is not JSON cannot be an event; the stream goes on.
        }
      });
      response.on('error', (error) => finish(failure ?? error));
      lines.on('error', (error) => finish(failure ?? error));
      // A complete response is a normal end: the server closed the stream (timeoutSeconds, a restart).
      lines.on('close', () =>
        finish(
          failure ?? (response.complete ? null : new Error(`The watch of ${path} was cut off mid-stream`)),
        ),
      );
    });
    request.on('socket', (socket: Socket) => socket.setKeepAlive(true, 30_000));
    request.on('error', (error) => finish(controller.signal.aborted ? null : (failure ?? error)));
    armIdle();
    request.end();
    return controller;
  }
}
