import type { StorageConversion } from './resource-type.ts';
import type { KubeObject } from './types.ts';

/**
 * events.k8s.io/v1 Events are stored as core/v1 Events (as in kube-apiserver), so an Event the
 * operator records with either API shows in `kubectl describe` and `kubectl get events`.
 * Pairs are [events.k8s.io/v1 field, core/v1 field].
 */
const RENAMED: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];
const SHARED = ['reason', 'type', 'action', 'related', 'eventTime', 'reportingInstance', 'series'];

function rename(object: KubeObject, apiVersion: string, from: 0 | 1): KubeObject {
  const to = from === 0 ? 1 : 0;
  const converted: KubeObject = { apiVersion, kind: 'Event', metadata: object.metadata };
  for (const pair of RENAMED) if (object[pair[from]] !== undefined) converted[pair[to]] = object[pair[from]];
  for (const field of SHARED) if (object[field] !== undefined) converted[field] = object[field];
  return converted;
}

export const EVENTS_V1_STORAGE: StorageConversion = {
  key: '/events',
  toStorage: (object) => rename(object, 'v1', 0),
  fromStorage: (object) => rename(object, 'events.k8s.io/v1', 1),
};
