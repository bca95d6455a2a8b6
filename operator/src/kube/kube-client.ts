import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Watch } from '@kubernetes/client-node';
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
  private readonly watcher: Watch;
  observer: RequestObserver | undefined;
  private httpAgent: HttpAgent | undefined;
  private httpsAgent: HttpsAgent | undefined;

  readonly config: KubeConfig;

  constructor(config: KubeConfig) {
    this.config = config;
    const cluster = config.getCurrentCluster();
    if (!cluster)
      throw new Error('The kubeconfig has no current cluster: set current-context or KUBECONFIG.');
    this.server = new URL(cluster.server);
    this.watcher = new Watch(config);
  }

  async request<T = KubeObject>(spec: RequestSpec): Promise<T> {
    this.observer?.(spec.method, spec.path);
    const url = new URL(this.server.pathname.replace(/\/$/, '') + spec.path, this.server);
    for (const [key, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
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
    options.agent = this.agentFor(url.protocol, options);
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

  private agentFor(protocol: string, options: RequestOptions): HttpAgent {
    if (protocol !== 'https:') return (this.httpAgent ??= new HttpAgent({ keepAlive: true, maxSockets: 64 }));
    // TLS material comes from the kubeconfig (or the service account's CA) and does not change.
    return (this.httpsAgent ??= new HttpsAgent({
      keepAlive: true,
      maxSockets: 64,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      servername: options.servername,
      ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
    }));
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
   * Opens a watch stream; `done` is called once when it ends, with the error if any. Resolves to
   * the controller that aborts it.
   */
  watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: WatchEvent) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    this.observer?.('WATCH', path);
    return this.watcher.watch(
      path,
      query,
      (type: string, object: unknown) => onEvent({ type, object } as WatchEvent),
      done,
    );
  }
}
