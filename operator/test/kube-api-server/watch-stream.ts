import type { ServerResponse } from 'node:http';
import { gone } from './api-error.ts';
import type { ObjectStore, StoredEvent } from './object-store.ts';
import type { ResourceType } from './resource-type.ts';
import { fromStorage, groupVersion, storageKeyOf } from './resource-type.ts';
import type { Selector } from './selectors.ts';
import { toTable } from './tables.ts';
import type { KubeObject, WatchEventType } from './types.ts';

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  selectors: Selector[];
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  table: boolean;
}

/**
 * One watch: a chunked stream of `{"type": ..., "object": ...}` lines, exactly as kube-apiserver
 * sends them. Starts with synthetic ADDED events when no resourceVersion is given, otherwise
 * replays the history after it, or reports 410 Gone (an ERROR event, then the end of the stream)
 * when that history was compacted away.
 */
export function serveWatch(
  store: ObjectStore,
  request: WatchRequest,
  response: ServerResponse,
  bookmarkIntervalMs: number,
  active: Set<ServerResponse>,
): void {
  const { type } = request;
  const storageKey = storageKeyOf(type);
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  response.flushHeaders();

  // Events of one turn of the event loop go out as one chunk: a burst of writes (a thousand
  // creates) then costs one socket write per watch per turn instead of one per event.
  let pending = '';
  const flush = () => {
    const chunk = pending;
    pending = '';
    if (chunk && !response.writableEnded) response.write(chunk);
  };
  const send = (eventType: WatchEventType, object: unknown) => {
    if (response.writableEnded) return;
    if (!pending) setImmediate(flush);
    pending += `${JSON.stringify({ type: eventType, object })}\n`;
  };
  const render = (object: KubeObject) =>
    request.table ? toTable(type, [object], { resourceVersion: object.metadata.resourceVersion }) : object;
  const matches = (object: KubeObject) =>
    (!type.namespaced || !request.namespace || object.metadata.namespace === request.namespace) &&
    request.selectors.every((selector) => selector(object));
  const bookmark = (annotations?: Record<string, string>) => {
    if (request.allowBookmarks && !request.table) {
      send('BOOKMARK', {
        kind: type.kind,
        apiVersion: groupVersion(type),
        metadata: { resourceVersion: String(store.currentRevision), ...(annotations ? { annotations } : {}) },
      });
    }
  };
  const deliver = (event: StoredEvent) => {
    if (event.storageKey !== storageKey) return;
    const object = fromStorage(type, event.object);
    const now = matches(object);
    const before =
      event.type !== 'ADDED' && event.previous ? matches(fromStorage(type, event.previous)) : false;
    if (event.type === 'DELETED') {
      if (now) send('DELETED', render(object));
    } else if (now && before) send('MODIFIED', render(object));
    else if (now) send('ADDED', render(object));
    else if (before) send('DELETED', render(object));
  };

  const version = request.resourceVersion;
  if (!version || version === '0' || request.sendInitialEvents) {
    for (const object of store.list(storageKey, type.namespaced ? request.namespace : undefined)) {
      const view = fromStorage(type, object);
      if (matches(view)) send('ADDED', render(view));
    }
    if (request.sendInitialEvents) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    const since = store.eventsSince(Number(version), storageKey);
    if ('expired' in since) {
      send('ERROR', gone(`too old resource version: ${version} (${since.oldest})`).status);
      flush();
      response.end();
      return;
    }
    for (const event of since.events) deliver(event);
  }

  active.add(response);
  const unsubscribe = store.subscribe(deliver);
  const bookmarks = bookmarkIntervalMs > 0 ? setInterval(() => bookmark(), bookmarkIntervalMs) : undefined;
  const timeout = request.timeoutSeconds
    ? setTimeout(() => {
        flush();
        response.end();
      }, request.timeoutSeconds * 1000)
    : undefined;
  const stop = () => {
    active.delete(response);
    unsubscribe();
    clearInterval(bookmarks);
    if (timeout) clearTimeout(timeout);
  };
  response.on('close', stop);
  response.on('finish', stop);
}
