import { MINIMUM_KUBERNETES_VERSION } from './kubernetes-api/builtin-schema.ts';
import type { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The server stands for the oldest Kubernetes CineWeave supports, whose schema it enforces. */
export const SERVER_VERSION = {
  major: String(MINIMUM_KUBERNETES_VERSION.major),
  minor: String(MINIMUM_KUBERNETES_VERSION.minor),
  gitVersion: `v${MINIMUM_KUBERNETES_VERSION.major}.${MINIMUM_KUBERNETES_VERSION.minor}.0-cineweave-test`,
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Legacy (unaggregated) discovery documents; kubectl falls back to them from aggregated discovery. */
export function apiVersions(host: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
  };
}

function apiGroup(group: { name: string; versions: string[] }): Record<string, unknown> {
  const versions = group.versions.map((version) => ({ groupVersion: `${group.name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group.name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groups()
      .filter((group) => group.name !== '')
      .map(apiGroup),
  };
}

export function apiGroupOf(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const group = registry.groups().find((candidate) => candidate.name === name && name !== '');
  return group ? apiGroup(group) : undefined;
}

export function apiResourceList(types: ResourceType[], groupVersion: string): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: types.flatMap((type) => [
      {
        name: type.plural,
        singularName: type.singular,
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: VERBS,
        ...(type.shortNames.length > 0 ? { shortNames: type.shortNames } : {}),
        ...(type.categories.length > 0 ? { categories: type.categories } : {}),
      },
      ...(type.scaleSubresource
        ? [
            {
              name: `${type.plural}/scale`,
              singularName: '',
              namespaced: type.namespaced,
              group: 'autoscaling',
              version: 'v1',
              kind: 'Scale',
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
      ...(type.statusSubresource
        ? [
            {
              name: `${type.plural}/status`,
              singularName: '',
              namespaced: type.namespaced,
              kind: type.kind,
              verbs: ['get', 'patch', 'update'],
            },
          ]
        : []),
    ]),
  };
}
