import { describe, expect, it } from 'vitest';
import { OPERATOR_PERMISSIONS, operatorPolicyRules } from './operator-permissions.ts';

describe('OPERATOR_PERMISSIONS', () => {
  it('should list each group and resource once when read as a table', () => {
    const keys = OPERATOR_PERMISSIONS.map((p) => `${p.apiGroup}/${p.resource}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('should never grant wildcards, secrets or escalation verbs when read by the chart', () => {
    for (const permission of OPERATOR_PERMISSIONS) {
      expect(permission.resource).not.toContain('*');
      expect(permission.verbs).not.toContain('*');
      expect(['secrets', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']).not.toContain(
        permission.resource,
      );
      expect(permission.verbs).not.toEqual(expect.arrayContaining(['escalate']));
    }
  });

  it('should only read namespaces and never delete pods when the operator scales down', () => {
    const find = (group: string, resource: string) =>
      OPERATOR_PERMISSIONS.find((p) => p.apiGroup === group && p.resource === resource)?.verbs;
    expect(find('', 'namespaces')).toEqual(['get', 'list', 'watch']);
    expect(find('', 'pods')).not.toContain('delete');
  });
});

describe(operatorPolicyRules.name, () => {
  it('should group resources sharing a group and verbs into one rule when rendered', () => {
    const rules = operatorPolicyRules([
      { apiGroup: 'a', resource: 'x', verbs: ['get', 'list'] },
      { apiGroup: 'a', resource: 'y', verbs: ['list', 'get'] },
      { apiGroup: 'b', resource: 'x', verbs: ['get', 'list'] },
    ]);
    expect(rules).toEqual([
      { apiGroups: ['a'], resources: ['x', 'y'], verbs: ['get', 'list'] },
      { apiGroups: ['b'], resources: ['x'], verbs: ['get', 'list'] },
    ]);
  });

  it('should cover every permission exactly once when expanded back', () => {
    const expanded = operatorPolicyRules().flatMap((rule) =>
      rule.resources.map((resource) => `${rule.apiGroups[0]}/${resource}:${rule.verbs.join(',')}`),
    );
    const expected = OPERATOR_PERMISSIONS.map(
      (p) => `${p.apiGroup}/${p.resource}:${[...p.verbs].sort().join(',')}`,
    );
    expect(expanded.sort()).toEqual(expected.sort());
  });
});
