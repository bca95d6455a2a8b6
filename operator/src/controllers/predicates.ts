import type { KubeObject } from '../kube/kube-object.ts';

/**
 * Informer events worth a reconcile: additions, deletions, resyncs, and modifications that change
 * the spec (generation) or start a deletion. A controller's own status writes are not among them.
 */
export function specOrDeletionChanged(type: string, object: KubeObject, previous?: KubeObject): boolean {
  if (type !== 'MODIFIED' || !previous) return true;
  return (
    object.metadata.generation !== previous.metadata.generation ||
    object.metadata.deletionTimestamp !== previous.metadata.deletionTimestamp
  );
}
