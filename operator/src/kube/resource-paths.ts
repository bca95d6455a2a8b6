/** Where a kind lives in the REST API: `/api/v1` for core, `/apis/{group}/{version}` otherwise. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const RESOURCES = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  pods: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
  events: { group: 'events.k8s.io', version: 'v1', plural: 'events', namespaced: true },
} as const satisfies Record<string, ResourceRef>;

/**
 * The collection path (no name) or the object path (with name), optionally a subresource:
 * `resourcePath(deployments, 'ns', 'x')` → `/apis/apps/v1/namespaces/ns/deployments/x`.
 */
export function resourcePath(
  resource: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const prefix = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const scope = resource.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name ? `/${encodeURIComponent(name)}` : '';
  const sub = name && subresource ? `/${subresource}` : '';
  return `${prefix}${scope}/${resource.plural}${object}${sub}`;
}
