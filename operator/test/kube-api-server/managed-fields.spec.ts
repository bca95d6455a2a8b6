import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { displayPath, recordUpdate, serverSideApply } from './managed-fields.ts';
import type { OwnershipContext } from './managed-fields.ts';
import type { KubeObject } from './types.ts';

const context = (manager: string): OwnershipContext => ({
  manager,
  apiVersion: 'apps/v1',
  rules: [{ field: 'conditions', keys: ['type'] }],
  now: '2026-11-24T00:00:00Z',
});

function config(spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', ...(labels ? { labels } : {}) },
    spec,
  };
}

function withFields(result: {
  object: KubeObject;
  managedFields: KubeObject['metadata']['managedFields'];
}): KubeObject {
  return { ...result.object, metadata: { ...result.object.metadata, managedFields: result.managedFields } };
}

describe(serverSideApply.name, () => {
  it('should give the applier the fields it applied', () => {
    const { managedFields } = serverSideApply(
      undefined,
      config({ replicas: 1 }, { app: 'w' }),
      false,
      context('op'),
    );
    expect(managedFields).toEqual([
      expect.objectContaining({
        manager: 'op',
        operation: 'Apply',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
      }),
    ]);
  });

  it('should report a conflict with another manager unless forced, and move the field when forced', () => {
    const live = withFields(
      serverSideApply(undefined, config({ replicas: 1, paused: false }), false, context('op')),
    );
    expect(() => serverSideApply(live, config({ replicas: 2 }), false, context('human'))).toThrow(ApiError);
    // Applying the same value is shared ownership, not a conflict.
    expect(() => serverSideApply(live, config({ replicas: 1 }), false, context('human'))).not.toThrow();

    const forced = serverSideApply(live, config({ replicas: 2 }), true, context('human'));
    expect(forced.object.spec).toEqual({ replicas: 2, paused: false });
    const owners = Object.fromEntries(forced.managedFields.map((entry) => [entry.manager, entry.fieldsV1]));
    expect(owners).toEqual({
      op: { 'f:spec': { 'f:paused': {} } },
      human: { 'f:spec': { 'f:replicas': {} } },
    });
  });

  it('should remove fields the applier stopped applying when nobody else owns them', () => {
    const live = withFields(
      serverSideApply(undefined, config({ replicas: 1 }, { app: 'w', stale: 'y' }), false, context('op')),
    );
    const next = serverSideApply(live, config({ replicas: 1 }, { app: 'w' }), false, context('op'));
    expect(next.object.metadata.labels).toEqual({ app: 'w' });
  });

  // structured-merge-diff owns a container as a member (`k:{"name":"engine"}: {".": {}, ...}`) and its
  // prune removes the whole item once its applier stops applying it (merge/update.go, prune).
  it('should remove a keyed list item and the objects left empty when the applier stops applying them', () => {
    const rules = [
      { field: 'initContainers', keys: ['name'] },
      { field: 'containers', keys: ['name'] },
      { field: 'env', keys: ['name'] },
    ];
    const apply = (spec: Record<string, unknown>, live?: KubeObject) =>
      serverSideApply(live, config(spec), false, { ...context('op'), rules });
    const sidecar = { name: 'engine', image: 'server', env: [{ name: 'HOME', value: '/tmp' }] };
    const worker = {
      name: 'worker',
      image: 'w',
      env: [
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
      startupProbe: { httpGet: { path: '/h', port: 1 } },
    };
    const live = withFields(apply({ initContainers: [sidecar], containers: [worker] }));
    const kept = { name: 'worker', image: 'w', env: [{ name: 'A', value: '1' }] };
    const next = apply({ containers: [kept] }, live);
    expect(next.object.spec).toEqual({ containers: [kept] });
  });

  it('should keep a list item whose fields another manager still owns', () => {
    const rules = [{ field: 'containers', keys: ['name'] }];
    const live = withFields(
      serverSideApply(undefined, config({ containers: [{ name: 'a', image: 'x' }] }), false, {
        ...context('op'),
        rules,
      }),
    );
    const shared = withFields(
      serverSideApply(live, config({ containers: [{ name: 'a', stdin: true }] }), false, {
        ...context('human'),
        rules,
      }),
    );
    const next = serverSideApply(shared, config({}), false, { ...context('op'), rules });
    expect(next.object.spec).toEqual({ containers: [{ name: 'a', stdin: true }] });
  });

  it('should merge keyed lists per key', () => {
    const live = withFields(
      serverSideApply(
        undefined,
        { ...config({}), status: { conditions: [{ type: 'A', status: 'True' }] } },
        false,
        context('a'),
      ),
    );
    const next = serverSideApply(
      live,
      { ...config({}), status: { conditions: [{ type: 'B', status: 'False' }] } },
      false,
      context('b'),
    );
    expect(next.object.status).toEqual({
      conditions: [
        { type: 'A', status: 'True' },
        { type: 'B', status: 'False' },
      ],
    });
  });
});

describe(recordUpdate.name, () => {
  it('should give an updater the fields it changed, taking them from other managers', () => {
    const live = withFields(
      serverSideApply(undefined, config({ replicas: 1, paused: false }), false, context('op')),
    );
    const fields = recordUpdate(
      live,
      { ...live, spec: { replicas: 3, paused: false } },
      context('kubectl-scale'),
    );
    const owners = Object.fromEntries(
      fields.map((entry) => [`${entry.manager}/${entry.operation}`, entry.fieldsV1]),
    );
    expect(owners).toEqual({
      'op/Apply': { 'f:spec': { 'f:paused': {} } },
      'kubectl-scale/Update': { 'f:spec': { 'f:replicas': {} } },
    });
  });
});

describe(displayPath.name, () => {
  it('should print a field path the way conflict messages show it', () => {
    const path = JSON.stringify(['f:status', 'f:conditions', 'k:{"type":"Ready"}', 'f:status']);
    expect(displayPath(path)).toBe('.status.conditions[type="Ready"].status');
  });
});
