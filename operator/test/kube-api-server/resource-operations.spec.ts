import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../support/wait-until.ts';
import { ApiError } from './api-error.ts';
import { KubeApiServer } from './kube-api-server.ts';
import { ResourceOperations } from './resource-operations.ts';
import type { WriteOptions } from './resource-operations.ts';
import type { KubeObject } from './types.ts';

const OPTIONS: WriteOptions = {
  fieldManager: 'test',
  fieldValidation: 'Strict',
  dryRun: false,
  force: false,
};

describe(ResourceOperations.name, () => {
  let server: KubeApiServer;
  let count = 0;
  const lease = (name: string, ns: string): KubeObject => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: ns },
    spec: { holderIdentity: 'a' },
  });
  const pool = (name: string, ns: string): KubeObject => ({
    apiVersion: 'cineweave.io/v1alpha1',
    kind: 'WorkerPool',
    metadata: { name, namespace: ns },
  });
  const typeOf = (apiVersion: string, kind: string) => server.registry.byKind(apiVersion, kind)!;
  const namespace = () => {
    count += 1;
    server.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ops-${count}` } });
    return `ops-${count}`;
  };
  const ownedBy = (owner: KubeObject, child: KubeObject): KubeObject => ({
    ...child,
    metadata: {
      ...child.metadata,
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.metadata.name!,
          uid: owner.metadata.uid!,
        },
      ],
    },
  });

  beforeAll(async () => {
    server = await KubeApiServer.start();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('should not change the resourceVersion when a write changes nothing', () => {
    const ns = namespace();
    const created = server.createObject(lease('same', ns));
    const again = server.patchObject('coordination.k8s.io/v1', 'Lease', ns, 'same', {
      spec: { holderIdentity: 'a' },
    });
    expect(again.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('should let a PUT without resourceVersion through for built-in kinds only', () => {
    const ns = namespace();
    const created = server.createObject(lease('put', ns));
    const { resourceVersion: _version, ...metadata } = created.metadata;
    const replaced = server.operations.replace(
      typeOf('coordination.k8s.io/v1', 'Lease'),
      ns,
      'put',
      { ...created, metadata, spec: { holderIdentity: 'b' } },
      undefined,
      OPTIONS,
    );
    expect(replaced.object.spec).toEqual({ holderIdentity: 'b' });

    const custom = server.createObject(pool('put', ns));
    const { resourceVersion: _customVersion, ...customMetadata } = custom.metadata;
    expect(() =>
      server.operations.replace(
        typeOf('cineweave.io/v1alpha1', 'WorkerPool'),
        ns,
        'put',
        { ...custom, metadata: customMetadata },
        undefined,
        OPTIONS,
      ),
    ).toThrow(/metadata.resourceVersion: Invalid value: 0x0: must be specified for an update/);
  });

  it('should report unknown fields as warnings unless validation is strict', () => {
    const ns = namespace();
    const type = typeOf('cineweave.io/v1alpha1', 'WorkerPool');
    const result = server.operations.create(
      type,
      ns,
      { ...pool('warned', ns), spec: { replicas: 2 } },
      { ...OPTIONS, fieldValidation: 'Warn' },
    );
    expect(result.warnings).toEqual(['unknown field "spec.replicas"']);
    expect(result.object.spec).not.toHaveProperty('replicas');
    expect(() =>
      server.operations.create(type, ns, { ...pool('strict', ns), spec: { replicas: 2 } }, OPTIONS),
    ).toThrow(ApiError);
  });

  it('should orphan dependents when asked to', async () => {
    const ns = namespace();
    const owner = server.createObject(pool('owner', ns));
    server.createObject(ownedBy(owner, lease('child', ns)));
    server.operations.delete(typeOf('cineweave.io/v1alpha1', 'WorkerPool'), ns, 'owner', {
      propagationPolicy: 'Orphan',
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const child = server.getObject('coordination.k8s.io/v1', 'Lease', ns, 'child');
    expect(child?.metadata.ownerReferences).toBeUndefined();
  });

  it('should keep a foreground-deleted owner until its dependents are gone', async () => {
    const ns = namespace();
    const owner = server.createObject(pool('fg', ns));
    const child = ownedBy(owner, lease('blocking', ns));
    child.metadata.finalizers = ['test/hold'];
    server.createObject(child);
    server.operations.delete(typeOf('cineweave.io/v1alpha1', 'WorkerPool'), ns, 'fg', {
      propagationPolicy: 'Foreground',
    });
    await waitUntil(
      () => server.getObject('coordination.k8s.io/v1', 'Lease', ns, 'blocking')?.metadata.deletionTimestamp,
      'the dependent to be deleted',
    );
    expect(server.getObject('cineweave.io/v1alpha1', 'WorkerPool', ns, 'fg')?.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);

    server.patchObject('coordination.k8s.io/v1', 'Lease', ns, 'blocking', { metadata: { finalizers: null } });
    await waitUntil(
      () => !server.getObject('cineweave.io/v1alpha1', 'WorkerPool', ns, 'fg'),
      'the owner to go',
    );
  });

  it('should empty a deleted namespace before removing it, and refuse new content meanwhile', async () => {
    const ns = namespace();
    const held = lease('held', ns);
    held.metadata.finalizers = ['test/hold'];
    server.createObject(held);
    server.createObject(lease('free', ns));
    server.operations.delete(typeOf('v1', 'Namespace'), undefined, ns);
    await waitUntil(
      () => !server.getObject('coordination.k8s.io/v1', 'Lease', ns, 'free'),
      'the free lease to go',
    );
    expect(server.getObject('v1', 'Namespace', undefined, ns)?.status).toEqual({ phase: 'Terminating' });
    expect(() => server.createObject(lease('late', ns))).toThrow(/being terminated/);

    server.patchObject('coordination.k8s.io/v1', 'Lease', ns, 'held', { metadata: { finalizers: null } });
    await waitUntil(() => !server.getObject('v1', 'Namespace', undefined, ns), 'the namespace to go');
  });

  it('should refuse new finalizers on an object being deleted', () => {
    const ns = namespace();
    const held = lease('closing', ns);
    held.metadata.finalizers = ['test/hold'];
    server.createObject(held);
    server.operations.delete(typeOf('coordination.k8s.io/v1', 'Lease'), ns, 'closing');
    expect(() =>
      server.patchObject('coordination.k8s.io/v1', 'Lease', ns, 'closing', {
        metadata: { finalizers: ['test/hold', 'test/more'] },
      }),
    ).toThrow(/no new finalizers can be added/);
  });
});
