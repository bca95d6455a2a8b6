import type { KubeObject } from './types.ts';
import { nameOf } from './types.ts';

export interface StoredEvent {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  storageKey: string;
  object: KubeObject;
  /** The object before this change, so that watches with selectors can tell entering from leaving. */
  previous?: KubeObject;
}

export type EventsSince = { events: StoredEvent[] } | { expired: true; oldest: number };

/**
 * The server's etcd: objects by storage key and `namespace/name`, one resourceVersion sequence
 * across every kind, and a bounded history of changes that watches resume from. Objects handed in
 * and out are never shared with callers.
 */
export class ObjectStore {
  private revision = 0;
  private compactedRevision = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoredEvent[] = [];
  private readonly listeners = new Set<(event: StoredEvent) => void>();
  private readonly historyLimit: number;

  constructor(historyLimit: number) {
    this.historyLimit = historyLimit;
  }

  get currentRevision(): number {
    return this.revision;
  }

  nextRevision(): number {
    this.revision += 1;
    return this.revision;
  }

  get(storageKey: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects.get(storageKey)?.get(objectKey(namespace, name));
    return object ? structuredClone(object) : undefined;
  }

  /** Objects of a kind, in one namespace or all, sorted by namespace and name like the apiserver. */
  list(storageKey: string, namespace?: string): KubeObject[] {
    const all = [...(this.objects.get(storageKey)?.entries() ?? [])]
      .filter(([, object]) => namespace === undefined || object.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return all.map(([, object]) => structuredClone(object));
  }

  /**
   * Every object of every kind, for the garbage collector's scans. Not copied, for speed with
   * thousands of objects: callers must treat them as read-only.
   */
  *all(): Generator<{ storageKey: string; object: Readonly<KubeObject> }> {
    for (const [storageKey, objects] of this.objects) {
      for (const object of objects.values()) yield { storageKey, object };
    }
  }

  /** Stores an object whose metadata.resourceVersion was taken from nextRevision(). */
  put(storageKey: string, object: KubeObject, previous?: KubeObject): void {
    let objects = this.objects.get(storageKey);
    if (!objects) {
      objects = new Map();
      this.objects.set(storageKey, objects);
    }
    // One copy serves the map and the history: stored objects are replaced, never changed in place.
    const stored = structuredClone(object);
    objects.set(objectKey(object.metadata.namespace, nameOf(object)), stored);
    this.record({
      revision: Number(object.metadata.resourceVersion),
      type: previous ? 'MODIFIED' : 'ADDED',
      storageKey,
      object: stored,
      previous,
    });
  }

  /** Removes an object; `object` carries the resourceVersion of the deletion. */
  remove(storageKey: string, object: KubeObject): void {
    this.objects.get(storageKey)?.delete(objectKey(object.metadata.namespace, nameOf(object)));
    this.record({
      revision: Number(object.metadata.resourceVersion),
      type: 'DELETED',
      storageKey,
      object: structuredClone(object),
      previous: structuredClone(object),
    });
  }

  /** Changes after `revision`, or `expired` when the history no longer reaches back that far. */
  eventsSince(revision: number, storageKey: string): EventsSince {
    if (revision < this.compactedRevision) return { expired: true, oldest: this.compactedRevision };
    return {
      events: this.history.filter((event) => event.revision > revision && event.storageKey === storageKey),
    };
  }

  /** Forgets the whole history, as an etcd compaction does: older watches get 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRevision = dropped[dropped.length - 1].revision;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}
