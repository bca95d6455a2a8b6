import type { OperatorPermission } from '@cineweave/contracts';
import type { KubeClient } from '../src/kube/kube-client.ts';

/** One Kubernetes call as RBAC sees it: API group, resource (with subresource) and verb. */
export interface RbacCall {
  apiGroup: string;
  resource: string;
  verb: string;
}

const VERBS: Record<string, (named: boolean) => string> = {
  GET: (named) => (named ? 'get' : 'list'),
  WATCH: () => 'watch',
  POST: () => 'create',
  PUT: () => 'update',
  PATCH: () => 'patch',
  DELETE: () => 'delete',
};

export function rbacCallOf(method: string, path: string): RbacCall {
  const segments = path.split('?')[0].split('/').filter(Boolean);
  const apiGroup = segments[0] === 'api' ? '' : segments[1];
  const rest = segments.slice(segments[0] === 'api' ? 2 : 3);
  let plural: string;
  let name: string | undefined;
  let sub: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) [, , plural, name, sub] = rest;
  else [plural, name, sub] = rest;
  return { apiGroup, resource: sub ? `${plural}/${sub}` : plural, verb: VERBS[method](name !== undefined) };
}

/** Records every call a client makes, to compare with the RBAC the chart grants. */
export function recordCalls(client: KubeClient): RbacCall[] {
  const calls: RbacCall[] = [];
  client.observer = (method, path) => calls.push(rbacCallOf(method, path));
  return calls;
}

export function notPermitted(calls: RbacCall[], permissions: readonly OperatorPermission[]): string[] {
  const missing = new Set<string>();
  for (const call of calls) {
    const allowed = permissions.some(
      (rule) =>
        rule.apiGroup === call.apiGroup && rule.resource === call.resource && rule.verbs.includes(call.verb),
    );
    if (!allowed) missing.add(`${call.verb} ${call.apiGroup || 'core'}/${call.resource}`);
  }
  return [...missing];
}
