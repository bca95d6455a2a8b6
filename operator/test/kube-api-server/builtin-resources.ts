import { EVENTS_V1_STORAGE } from './event-conversion.ts';
import type { ListMergeRule, ResourceType, TableColumn } from './resource-type.ts';
import type { KubeObject } from './types.ts';
import { isPlainObject } from './types.ts';

/** The merge keys of k8s.io/api lists the operator's objects use (patchMergeKey in the Go types). */
export const BUILTIN_LIST_MERGE_RULES: ListMergeRule[] = [
  { field: 'containers', keys: ['name'] },
  { field: 'initContainers', keys: ['name'] },
  { field: 'volumes', keys: ['name'] },
  { field: 'volumeMounts', keys: ['mountPath'] },
  { field: 'env', keys: ['name'] },
  { field: 'ports', keys: ['containerPort'] },
  { field: 'conditions', keys: ['type'] },
  { field: 'ownerReferences', keys: ['uid'] },
];

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  cell: (object) => object.metadata.name,
};
const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'date',
  description: 'Time since the object was created.',
  jsonPath: '.metadata.creationTimestamp',
};

function field(object: KubeObject, ...path: string[]): unknown {
  let value: unknown = object;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}

function numberAt(object: KubeObject, ...path: string[]): number {
  const value = field(object, ...path);
  return typeof value === 'number' ? value : 0;
}

function builtin(
  partial: Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'> & Partial<ResourceType>,
): ResourceType {
  return {
    singular: partial.kind.toLowerCase(),
    listKind: `${partial.kind}List`,
    shortNames: [],
    categories: [],
    statusSubresource: false,
    allowUnconditionalUpdate: true,
    strategicMergePatch: true,
    columns: [NAME_COLUMN, AGE_COLUMN],
    listMergeRules: BUILTIN_LIST_MERGE_RULES,
    ...partial,
  };
}

function podReady(pod: KubeObject): string {
  const statuses = field(pod, 'status', 'containerStatuses');
  const containers = field(pod, 'spec', 'containers');
  const total = Array.isArray(containers) ? containers.length : 0;
  const ready = Array.isArray(statuses)
    ? statuses.filter((s) => isPlainObject(s) && s.ready === true).length
    : 0;
  return `${ready}/${total}`;
}

function eventObject(event: KubeObject): string {
  const involved = field(event, 'involvedObject') ?? field(event, 'regarding');
  if (!isPlainObject(involved)) return '';
  return `${String(involved.kind ?? '').toLowerCase()}/${String(involved.name ?? '')}`;
}

/**
 * Kinds the chart renders besides those: served with the generic registry (name and age columns) so
 * that `kubectl apply --dry-run=server` of a whole release is validated against the minimum
 * version's schema.
 */
const CHART_KINDS: Array<
  [group: string, version: string, kind: string, plural: string, namespaced: boolean]
> = [
  ['', 'v1', 'ConfigMap', 'configmaps', true],
  ['', 'v1', 'Secret', 'secrets', true],
  ['', 'v1', 'Service', 'services', true],
  ['', 'v1', 'ServiceAccount', 'serviceaccounts', true],
  ['', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true],
  ['', 'v1', 'PersistentVolume', 'persistentvolumes', false],
  ['apps', 'v1', 'StatefulSet', 'statefulsets', true],
  ['batch', 'v1', 'Job', 'jobs', true],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true],
  ['networking.k8s.io', 'v1', 'Ingress', 'ingresses', true],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true],
  ['policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true],
  ['rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true],
  ['rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false],
];

/** The built-in kinds the operator reads and writes, Namespace and CRDs for kubectl, and the chart's kinds. */
export function builtinResources(): ResourceType[] {
  return [
    ...CHART_KINDS.map(([group, version, kind, plural, namespaced]) =>
      builtin({ group, version, kind, plural, namespaced }),
    ),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      plural: 'namespaces',
      namespaced: false,
      shortNames: ['ns'],
      statusSubresource: true,
      columns: [
        NAME_COLUMN,
        { name: 'Status', type: 'string', description: 'The namespace phase.', jsonPath: '.status.phase' },
        AGE_COLUMN,
      ],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Pod',
      plural: 'pods',
      namespaced: true,
      shortNames: ['po'],
      categories: ['all'],
      statusSubresource: true,
      columns: [
        NAME_COLUMN,
        { name: 'Ready', type: 'string', description: 'Ready containers.', cell: podReady },
        { name: 'Status', type: 'string', description: 'The pod phase.', jsonPath: '.status.phase' },
        {
          name: 'Restarts',
          type: 'string',
          description: 'Container restarts.',
          cell: (pod) => {
            const statuses = field(pod, 'status', 'containerStatuses');
            return String(
              Array.isArray(statuses)
                ? statuses.reduce(
                    (sum: number, s) => sum + (isPlainObject(s) ? Number(s.restartCount ?? 0) : 0),
                    0,
                  )
                : 0,
            );
          },
        },
        AGE_COLUMN,
        { name: 'IP', type: 'string', priority: 1, jsonPath: '.status.podIP' },
        { name: 'Node', type: 'string', priority: 1, jsonPath: '.spec.nodeName' },
      ],
    }),
    builtin({
      group: '',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      columns: [
        {
          name: 'Last Seen',
          type: 'string',
          cell: (event) => field(event, 'lastTimestamp') ?? field(event, 'eventTime'),
        },
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Reason', type: 'string', jsonPath: '.reason' },
        { name: 'Object', type: 'string', cell: eventObject },
        { name: 'Message', type: 'string', jsonPath: '.message' },
      ],
    }),
    builtin({
      group: 'events.k8s.io',
      version: 'v1',
      kind: 'Event',
      plural: 'events',
      namespaced: true,
      shortNames: ['ev'],
      storage: EVENTS_V1_STORAGE,
      columns: [
        { name: 'Last Seen', type: 'string', cell: (event) => field(event, 'eventTime') },
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Reason', type: 'string', jsonPath: '.reason' },
        { name: 'Object', type: 'string', cell: eventObject },
        { name: 'Message', type: 'string', jsonPath: '.note' },
      ],
    }),
    builtin({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      statusSubresource: true,
      scaleSubresource: true,
      columns: [
        NAME_COLUMN,
        {
          name: 'Ready',
          type: 'string',
          description: 'Ready replicas of the desired ones.',
          cell: (d) => `${numberAt(d, 'status', 'readyReplicas')}/${numberAt(d, 'spec', 'replicas')}`,
        },
        { name: 'Up-to-date', type: 'integer', cell: (d) => numberAt(d, 'status', 'updatedReplicas') },
        { name: 'Available', type: 'integer', cell: (d) => numberAt(d, 'status', 'availableReplicas') },
        AGE_COLUMN,
      ],
    }),
    builtin({
      group: 'coordination.k8s.io',
      version: 'v1',
      kind: 'Lease',
      plural: 'leases',
      namespaced: true,
      columns: [
        NAME_COLUMN,
        { name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity' },
        AGE_COLUMN,
      ],
    }),
    builtin({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      plural: 'customresourcedefinitions',
      namespaced: false,
      shortNames: ['crd', 'crds'],
      statusSubresource: true,
      columns: [NAME_COLUMN, { name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }],
    }),
  ];
}
