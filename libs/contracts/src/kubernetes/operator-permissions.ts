import { API_GROUP, VIDEOJOB, WORKERPOOL } from './api-group.ts';

/** One RBAC rule the operator needs: an API group, a resource (or subresource) and its verbs. */
export interface OperatorPermission {
  /** `''` is the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
}

/**
 * Every Kubernetes call the operator makes, in one list: the chart's ClusterRole grants exactly
 * these (a chart test compares them) and nothing else, so a new call in the operator fails the
 * chart test until it is listed here — least privilege that cannot drift.
 */
export const OPERATOR_PERMISSIONS: readonly OperatorPermission[] = [
  { apiGroup: API_GROUP, resource: VIDEOJOB.plural, verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroup: API_GROUP, resource: `${VIDEOJOB.plural}/status`, verbs: ['get', 'update', 'patch'] },
  { apiGroup: API_GROUP, resource: `${VIDEOJOB.plural}/finalizers`, verbs: ['update'] },
  { apiGroup: API_GROUP, resource: WORKERPOOL.plural, verbs: ['get', 'list', 'watch', 'update', 'patch'] },
  { apiGroup: API_GROUP, resource: `${WORKERPOOL.plural}/status`, verbs: ['get', 'update', 'patch'] },
  { apiGroup: API_GROUP, resource: `${WORKERPOOL.plural}/finalizers`, verbs: ['update'] },
  // Worker Deployments are server-side applied, scaled, and removed with their pool.
  {
    apiGroup: 'apps',
    resource: 'deployments',
    verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
  },
  // Patch only sets controller.kubernetes.io/pod-deletion-cost so busy workers go last on scale-down.
  { apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'watch', 'patch'] },
  // The cineweave.io/team annotation binds a namespace to a team (cineweave.io/account, deprecated, to a user).
  { apiGroup: '', resource: 'namespaces', verbs: ['get', 'list', 'watch'] },
  { apiGroup: '', resource: 'events', verbs: ['create', 'patch'] },
  { apiGroup: 'events.k8s.io', resource: 'events', verbs: ['create', 'patch'] },
  // Leader election; `create` cannot be limited by resourceName, so the Lease rule stays unnamed.
  { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'create', 'update'] },
];

/** The rules grouped as a Kubernetes ClusterRole lists them: one rule per API group and verb set. */
export function operatorPolicyRules(
  permissions: readonly OperatorPermission[] = OPERATOR_PERMISSIONS,
): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const rules = new Map<string, { apiGroups: string[]; resources: string[]; verbs: string[] }>();
  for (const permission of permissions) {
    const verbs = [...permission.verbs].sort();
    const key = `${permission.apiGroup}|${verbs.join(',')}`;
    const rule = rules.get(key) ?? { apiGroups: [permission.apiGroup], resources: [], verbs };
    rule.resources.push(permission.resource);
    rules.set(key, rule);
  }
  return [...rules.values()];
}
