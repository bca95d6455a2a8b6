import type { Logger } from 'pino';
import type { KubeClient } from '../kube/kube-client.ts';
import type { KubeObject, WatchEvent } from '../kube/kube-object.ts';
import { objectKey } from '../kube/kube-object.ts';
import type { ResourceRef } from '../kube/resource-paths.ts';
import { resourcePath } from '../kube/resource-paths.ts';
import { Backoff, sleep } from './backoff.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'RESYNC';
export type ChangeHandler<T extends KubeObject> = (
  key: string,
  type: ChangeType,
  object: T,
  previous?: T,
) => void;

export interface InformerOptions {
  /** Namespaces to watch; empty watches the whole cluster. */
  namespaces: readonly string[];
  labelSelector?: string;
  /** Every cached object is handed to the handlers again this often (level-based safety net). */
  resyncMs: number;
  logger: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * The `timeoutSeconds` each watch asks the server for, drawn between min and max so that the
   * informers of many replicas do not all reconnect at once (default 240-360 s, client-go's 5-10
   * minutes halved). The server ends the stream then and the informer resumes from the last version.
   */
  watchTimeoutSeconds?: { min: number; max: number };
}

/**
 * List + watch of one resource into a cache, in the manner of client-go's reflector: it watches
 * from the list's resourceVersion, resumes from the last seen one (bookmarks included) when a
 * stream ends, relists when the server answers 410 Gone, and restarts with backoff after any
 * other error — client-node's own informer stops there.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: ChangeHandler<T>[] = [];
  private readonly backoff: Backoff;
  private readonly scopes: (string | undefined)[];
  private readonly synced = new Set<string | undefined>();
  private readonly syncWaiters: (() => void)[] = [];
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;

  private readonly client: KubeClient;
  readonly resource: ResourceRef;
  private readonly options: InformerOptions;

  constructor(client: KubeClient, resource: ResourceRef, options: InformerOptions) {
    this.client = client;
    this.resource = resource;
    this.options = options;
    this.backoff = new Backoff(options.retryBaseMs ?? 500, options.retryMaxMs ?? 30_000);
    this.scopes =
      resource.namespaced && options.namespaces.length > 0 ? [...options.namespaces] : [undefined];
  }

  onChange(handler: ChangeHandler<T>): void {
    this.handlers.push(handler);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get hasSynced(): boolean {
    return this.synced.size === this.scopes.length;
  }

  /** Resolves once every namespace has been listed at least once. */
  waitForSync(): Promise<void> {
    if (this.hasSynced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    this.abort = new AbortController();
    this.loops = this.scopes.map((namespace) => this.run(namespace, this.abort.signal));
    this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.abort.abort();
    await Promise.all(this.loops);
    // Nobody waits for a sync that will not come.
    for (const wake of this.syncWaiters.splice(0)) wake();
    this.cache.clear();
    this.synced.clear();
  }

  private resync(): void {
    for (const [key, object] of this.cache) this.emit(key, 'RESYNC', object);
  }

  private emit(key: string, type: ChangeType, object: T, previous?: T): void {
    for (const handler of this.handlers) handler(key, type, object, previous);
  }

  private async run(namespace: string | undefined, signal: AbortSignal): Promise<void> {
    const path = resourcePath(this.resource, namespace);
    const log = this.options.logger.child({ resource: this.resource.plural, namespace: namespace ?? '*' });
    let resourceVersion: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.relist(path, namespace);
          this.markSynced(namespace);
        }
        const watchStarted = Date.now();
        const outcome = await this.watchOnce(path, resourceVersion, signal, (rv) => {
          resourceVersion = rv;
          failures = 0;
        });
        // A server that ends every watch at once must not turn this loop into a busy one.
        if (outcome === 'closed' && Date.now() - watchStarted < 1_000) await sleep(1_000, signal);
        if (outcome === 'expired') {
          log.info({ resourceVersion }, 'Relisted after the watch expired (410 Gone)');
          resourceVersion = undefined;
        }
      } catch (error) {
        if (signal.aborted) break;
        const delay = this.backoff.delay(failures++);
        log.warn({ err: errorMessage(error), retryInMs: delay }, 'Restarted watch after an error');
        await sleep(delay, signal);
      }
    }
  }

  private async relist(path: string, namespace: string | undefined): Promise<string> {
    const list = await this.client.list<T>(path, { labelSelector: this.options.labelSelector });
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item.metadata);
      seen.add(key);
      const previous = this.cache.get(key);
      this.cache.set(key, item);
      if (!previous) this.emit(key, 'ADDED', item);
      else if (previous.metadata.resourceVersion !== item.metadata.resourceVersion)
        this.emit(key, 'MODIFIED', item, previous);
    }
    for (const [key, object] of this.cache) {
      if (seen.has(key) || (namespace !== undefined && object.metadata.namespace !== namespace)) continue;
      this.cache.delete(key);
      this.emit(key, 'DELETED', object);
    }
    return list.metadata.resourceVersion ?? '0';
  }

  /** One watch stream until it ends; resolves 'expired' on 410 Gone, throws on other errors. */
  private watchOnce(
    path: string,
    resourceVersion: string,
    signal: AbortSignal,
    seen: (resourceVersion: string) => void,
  ): Promise<'closed' | 'expired'> {
    return new Promise((resolve, reject) => {
      let expired = false;
      let failure: unknown;
      const query = {
        resourceVersion,
        allowWatchBookmarks: true,
        labelSelector: this.options.labelSelector,
        // The server ends streams now and then; the client presumes a stream silent well past this dead.
        timeoutSeconds: this.watchTimeoutSeconds(),
      };
      const onEvent = (event: WatchEvent): void => {
        if (event.type === 'ERROR') {
          if (event.object.code === 410) expired = true;
          else failure = new Error(`Watch of ${path} failed: ${event.object.message ?? event.object.reason}`);
          void controllerPromise.then((controller) => controller.abort());
          return;
        }
        const object = event.object as T;
        if (object.metadata?.resourceVersion) seen(object.metadata.resourceVersion);
        if (event.type === 'BOOKMARK') return;
        const key = objectKey(object.metadata);
        if (event.type === 'DELETED') {
          this.cache.delete(key);
          this.emit(key, 'DELETED', object);
        } else {
          const previous = this.cache.get(key);
          this.cache.set(key, object);
          this.emit(key, previous ? 'MODIFIED' : 'ADDED', object, previous);
        }
      };
      const done = (error: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        if (expired || (error as { statusCode?: number } | null)?.statusCode === 410)
          return resolve('expired');
        if (failure) return reject(failure);
        if (error && !signal.aborted && !isAbort(error)) return reject(error);
        resolve('closed');
      };
      const controllerPromise = this.client.watch(path, query, onEvent, done);
      const onAbort = (): void => void controllerPromise.then((controller) => controller.abort());
      signal.addEventListener('abort', onAbort, { once: true });
      controllerPromise.catch(reject);
    });
  }

  private watchTimeoutSeconds(): number {
    const { min, max } = this.options.watchTimeoutSeconds ?? { min: 240, max: 360 };
    return min + Math.floor(Math.random() * (max - min + 1));
  }

  private markSynced(namespace: string | undefined): void {
    this.synced.add(namespace);
    if (this.hasSynced) for (const wake of this.syncWaiters.splice(0)) wake();
  }
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string }).name === 'AbortError';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
