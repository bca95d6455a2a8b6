import { OPERATOR_PERMISSIONS } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { byKind, ciValuesFiles, renderChart, type KubeObject } from './support/render.ts';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** `group/resource:verb` for every grant of the given roles. */
function grants(roles: KubeObject[]): string[] {
  return roles.flatMap((role) =>
    (role['rules'] as PolicyRule[]).flatMap((rule) =>
      (rule.apiGroups ?? []).flatMap((group) =>
        (rule.resources ?? []).flatMap((resource) =>
          rule.verbs.map((verb) => `${group}/${resource}:${verb}`),
        ),
      ),
    ),
  );
}

const expected = OPERATOR_PERMISSIONS.flatMap((p) =>
  p.verbs.map((verb) => `${p.apiGroup}/${p.resource}:${verb}`),
).sort();

describe('operator RBAC', () => {
  it.each(ciValuesFiles)(
    'should grant exactly the permissions the operator lists when given ci/%s',
    async (file) => {
      const objects = await renderChart(file);
      const roles = [...byKind(objects, 'ClusterRole'), ...byKind(objects, 'Role')];
      expect(grants(roles).sort()).toEqual(expected);
    },
  );

  it('should use no wildcards, resource names or non-resource URLs when rendered', async () => {
    const objects = await renderChart('default-values.yaml');
    for (const role of [...byKind(objects, 'ClusterRole'), ...byKind(objects, 'Role')]) {
      for (const rule of role['rules'] as PolicyRule[]) {
        expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain('*');
        expect(rule.resourceNames).toBeUndefined();
        expect(rule.nonResourceURLs).toBeUndefined();
      }
    }
  });

  it('should bind the roles to the operator ServiceAccount alone when rendered', async () => {
    const objects = await renderChart('default-values.yaml');
    const bindings = [...byKind(objects, 'ClusterRoleBinding'), ...byKind(objects, 'RoleBinding')];
    expect(bindings).toHaveLength(2);
    for (const binding of bindings) {
      expect(binding['subjects']).toEqual([
        { kind: 'ServiceAccount', name: 'cw-cineweave-operator', namespace: 'cineweave' },
      ]);
    }
    const operator = byKind(objects, 'Deployment').find((d) => d.metadata.name === 'cw-cineweave-operator');
    expect(operator?.['spec']).toMatchObject({
      replicas: 2,
      template: { spec: { serviceAccountName: 'cw-cineweave-operator' } },
    });
  });

  it('should mount no ServiceAccount token into pods that do not call Kubernetes when rendered', async () => {
    const objects = await renderChart('default-values.yaml');
    for (const workload of [
      ...byKind(objects, 'Deployment'),
      ...byKind(objects, 'StatefulSet'),
      ...byKind(objects, 'Job'),
    ]) {
      if (workload.metadata.name.endsWith('-operator')) continue;
      const spec = (workload['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;
      expect(spec['automountServiceAccountToken'], workload.metadata.name).toBe(false);
    }
  });
});
