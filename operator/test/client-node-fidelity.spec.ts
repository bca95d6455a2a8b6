import type { KubernetesListObject, KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiServer } from './kube-api-server/kube-api-server.ts';
import type { KubeObject } from './kube-api-server/types.ts';
import { waitUntil } from './support/wait-until.ts';

const GROUP = { group: 'cineweave.io', version: 'v1alpha1' };
const VIDEOJOBS = { ...GROUP, plural: 'videojobs' };
const WORKERPOOLS = { ...GROUP, plural: 'workerpools' };

function videoJob(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'cineweave.io/v1alpha1',
    kind: 'VideoJob',
    metadata: { name, labels },
    spec: { prompt: `A timelapse of ${name}` },
  };
}

function deployment(name: string, replicas: number, labels: Record<string, string> = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'worker', image: 'cineweave/gpu-worker:test' }] },
      },
    },
  };
}

/** The status code of a rejected client-node call, or a failure when the call succeeded. */
async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiException) {
      const body =
        typeof error.body === 'string' ? (JSON.parse(error.body) as Record<string, unknown>) : error.body;
      return { code: error.code, body: body as Record<string, unknown> };
    }
    throw error;
  }
  throw new Error('Expected the API server to refuse the request');
}

/**
 * @kubernetes/client-node (the operator's client) against the test API server: the protocol
 * details controllers depend on — list + watch with resourceVersions, 410 Gone, optimistic
 * concurrency, server-side apply, the status subresource and garbage collection.
 */
describe('client-node against the test API server', { timeout: 20_000 }, () => {
  let server: KubeApiServer;
  let config: KubeConfig;
  let custom: CustomObjectsApi;
  let namespaceCount = 0;
  const stoppers: Array<() => void> = [];

  function namespace(annotations: Record<string, string> = {}): string {
    namespaceCount += 1;
    const name = `client-${namespaceCount}`;
    server.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, annotations } });
    return name;
  }

  beforeAll(async () => {
    server = await KubeApiServer.start({ bookmarkIntervalMs: 100 });
    config = new KubeConfig();
    config.loadFromString(server.kubeconfig());
    custom = config.makeApiClient(CustomObjectsApi);
  });

  afterEach(() => {
    for (const stop of stoppers.splice(0)) stop();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('should list and watch VideoJobs through an informer, from the list resourceVersion on', async () => {
    const ns = namespace();
    await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob('first') });
    const informer = makeInformer(
      config,
      `/apis/cineweave.io/v1alpha1/namespaces/${ns}/videojobs`,
      () =>
        custom.listNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns }) as Promise<
          KubernetesListObject<KubernetesObject>
        >,
    );
    const seen: string[] = [];
    informer.on('add', (object) => seen.push(`add ${object.metadata?.name}`));
    informer.on('update', (object) =>
      seen.push(`update ${object.metadata?.name} ${(object as KubeObject).status ? 'status' : ''}`.trim()),
    );
    informer.on('delete', (object) => seen.push(`delete ${object.metadata?.name}`));
    await informer.start();
    stoppers.push(() => void informer.stop());

    await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob('second') });
    await custom.patchNamespacedCustomObjectStatus(
      { ...VIDEOJOBS, namespace: ns, name: 'first', body: { status: { phase: 'Queued' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await custom.deleteNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, name: 'second' });

    await waitUntil(() => seen.length >= 4, 'four informer events');
    expect(seen).toEqual(['add first', 'add second', 'update first status', 'delete second']);
  });

  it('should answer a watch from a compacted resourceVersion with 410 Gone, and the informer should relist', async () => {
    const ns = namespace();
    const created = (await custom.createNamespacedCustomObject({
      ...VIDEOJOBS,
      namespace: ns,
      body: videoJob('old'),
    })) as KubeObject;
    const staleVersion = created.metadata.resourceVersion!;
    await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob('newer') });
    server.compactHistory();

    const events: Array<{ type: string; code?: number }> = [];
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(config).watch(
        `/apis/cineweave.io/v1alpha1/namespaces/${ns}/videojobs`,
        { resourceVersion: staleVersion },
        (type, object: { code?: number }) => events.push({ type, code: object.code }),
        resolve,
      );
    });
    await expect(ended).resolves.toBeNull();
    expect(events).toEqual([{ type: 'ERROR', code: 410 }]);

    const informer = makeInformer(
      config,
      `/apis/cineweave.io/v1alpha1/namespaces/${ns}/videojobs`,
      () =>
        custom.listNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns }) as Promise<
          KubernetesListObject<KubernetesObject>
        >,
    );
    const errors: unknown[] = [];
    informer.on('error', (error) => errors.push(error));
    await informer.start();
    stoppers.push(() => void informer.stop());
    const lists = () => server.requestCounts.get('GET videojobs') ?? 0;
    const listsBefore = lists();
    // A change the informer will not see live: it happens while its watch is down and compacted away.
    server.dropWatches();
    await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob('while-away') });
    server.compactHistory();

    await waitUntil(() => informer.get('while-away', ns), 'the informer to relist and find while-away');
    expect(lists()).toBeGreaterThan(listsBefore);
    expect(errors).toEqual([]);
  });

  it('should refuse an update with a stale resourceVersion with 409 Conflict', async () => {
    const ns = namespace();
    const read = (await custom.createNamespacedCustomObject({
      ...VIDEOJOBS,
      namespace: ns,
      body: videoJob('contended'),
    })) as KubeObject;
    await custom.patchNamespacedCustomObject(
      { ...VIDEOJOBS, namespace: ns, name: 'contended', body: { metadata: { labels: { touched: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const stale = { ...read, metadata: { ...read.metadata, labels: { mine: 'yes' } } };
    const refused = await statusOf(
      custom.replaceNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, name: 'contended', body: stale }),
    );
    expect(refused.code).toBe(409);
    expect(refused.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 });
    expect(String(refused.body.message)).toContain('the object has been modified');

    const withoutVersion = { ...read, metadata: { ...read.metadata, resourceVersion: undefined } };
    const unconditional = await statusOf(
      custom.replaceNamespacedCustomObject({
        ...VIDEOJOBS,
        namespace: ns,
        name: 'contended',
        body: withoutVersion,
      }),
    );
    expect(unconditional.code).toBe(422);
  });

  it('should keep the spec out of status writes and the status out of spec writes', async () => {
    const ns = namespace();
    await custom.createNamespacedCustomObject({
      ...VIDEOJOBS,
      namespace: ns,
      body: { ...videoJob('split'), status: { phase: 'Succeeded' } },
    });
    const created = server.getObject('cineweave.io/v1alpha1', 'VideoJob', ns, 'split')!;
    expect(created.status).toBeUndefined();

    const patched = (await custom.patchNamespacedCustomObjectStatus(
      {
        ...VIDEOJOBS,
        namespace: ns,
        name: 'split',
        body: { spec: { prompt: 'sneaky' }, status: { phase: 'Running', progress: 30 } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as KubeObject;
    expect(patched.status).toEqual({ phase: 'Running', progress: 30 });
    expect(patched.spec).toMatchObject({ prompt: 'A timelapse of split' });
    expect(patched.metadata.generation).toBe(1);
    expect(Number(patched.metadata.resourceVersion)).toBeGreaterThan(
      Number(created.metadata.resourceVersion),
    );

    const labelled = (await custom.patchNamespacedCustomObject(
      {
        ...VIDEOJOBS,
        namespace: ns,
        name: 'split',
        body: { metadata: { labels: { a: 'b' } }, status: { phase: 'Failed' } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as KubeObject;
    expect(labelled.status).toEqual({ phase: 'Running', progress: 30 });
    expect(labelled.metadata.generation).toBe(1);

    const invalid = await statusOf(
      custom.patchNamespacedCustomObjectStatus(
        { ...VIDEOJOBS, namespace: ns, name: 'split', body: { status: { progress: 120 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(invalid.code).toBe(422);
    expect(String(invalid.body.message)).toContain('status.progress');
  });

  it('should bump metadata.generation on spec changes only', async () => {
    const ns = namespace();
    await custom.createNamespacedCustomObject({
      ...WORKERPOOLS,
      namespace: ns,
      body: { apiVersion: 'cineweave.io/v1alpha1', kind: 'WorkerPool', metadata: { name: 'pool' } },
    });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const defaulted = (await custom.getNamespacedCustomObject({
      ...WORKERPOOLS,
      namespace: ns,
      name: 'pool',
    })) as KubeObject;
    expect(defaulted.spec).toEqual({
      model: 'wan2.2-ti2v-5b',
      minReplicas: 0,
      maxReplicas: 1,
      jobsPerReplica: 1,
      scaleDownDelaySeconds: 300,
      gpu: { resourceName: 'nvidia.com/gpu', count: 1 },
    });

    const scaled = (await custom.patchNamespacedCustomObject(
      { ...WORKERPOOLS, namespace: ns, name: 'pool', body: { spec: { maxReplicas: 4 } } },
      merge,
    )) as KubeObject;
    expect(scaled.metadata.generation).toBe(2);
    const labelled = (await custom.patchNamespacedCustomObject(
      { ...WORKERPOOLS, namespace: ns, name: 'pool', body: { metadata: { labels: { tier: 'gpu' } } } },
      merge,
    )) as KubeObject;
    expect(labelled.metadata.generation).toBe(2);
    const same = (await custom.patchNamespacedCustomObject(
      { ...WORKERPOOLS, namespace: ns, name: 'pool', body: { spec: { maxReplicas: 4 } } },
      merge,
    )) as KubeObject;
    expect(same.metadata.resourceVersion).toBe(labelled.metadata.resourceVersion);

    const refused = await statusOf(
      custom.patchNamespacedCustomObject(
        { ...WORKERPOOLS, namespace: ns, name: 'pool', body: { spec: { minReplicas: 9 } } },
        merge,
      ),
    );
    expect(refused.code).toBe(422);
    expect(String(refused.body.message)).toContain('minReplicas must not exceed maxReplicas');
  });

  it('should track field managers in server-side apply and report conflicts unless forced', async () => {
    const ns = namespace();
    const apps = config.makeApiClient(AppsV1Api);
    const apply = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const created = await apps.patchNamespacedDeployment(
      {
        name: 'workers',
        namespace: ns,
        body: deployment('workers', 1, { owner: 'operator' }),
        fieldManager: 'cineweave-operator',
      },
      apply,
    );
    expect(created.spec?.replicas).toBe(1);
    expect(created.metadata?.managedFields?.map((entry) => [entry.manager, entry.operation])).toEqual([
      ['cineweave-operator', 'Apply'],
    ]);

    const scaled = await apps.patchNamespacedDeployment(
      {
        name: 'workers',
        namespace: ns,
        body: deployment('workers', 3, { owner: 'operator' }),
        fieldManager: 'cineweave-operator',
      },
      apply,
    );
    expect(scaled.spec?.replicas).toBe(3);

    const conflict = await statusOf(
      apps.patchNamespacedDeployment(
        {
          name: 'workers',
          namespace: ns,
          body: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 5 } },
          fieldManager: 'kubectl',
        },
        apply,
      ),
    );
    expect(conflict.code).toBe(409);
    expect(String(conflict.body.message)).toContain('conflict with "cineweave-operator"');
    expect(String(conflict.body.message)).toContain('.spec.replicas');

    const forced = await apps.patchNamespacedDeployment(
      {
        name: 'workers',
        namespace: ns,
        body: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 5 } },
        fieldManager: 'kubectl',
        force: true,
      },
      apply,
    );
    expect(forced.spec?.replicas).toBe(5);
    const owners = Object.fromEntries(
      forced.metadata!.managedFields!.map((entry) => [entry.manager, JSON.stringify(entry.fieldsV1)]),
    );
    expect(owners.kubectl).toContain('f:replicas');
    expect(owners['cineweave-operator']).not.toContain('f:replicas');

    // The operator stops applying its label: a field it alone owned goes away.
    const withoutLabel = deployment('workers', 5);
    delete withoutLabel.spec!.replicas;
    const pruned = await apps.patchNamespacedDeployment(
      { name: 'workers', namespace: ns, body: withoutLabel, fieldManager: 'cineweave-operator' },
      apply,
    );
    expect(pruned.metadata?.labels?.owner).toBeUndefined();
    expect(pruned.spec?.replicas).toBe(5);
  });

  it('should delete dependents in the background once their owner is gone', async () => {
    const ns = namespace();
    const pool = (await custom.createNamespacedCustomObject({
      ...WORKERPOOLS,
      namespace: ns,
      body: { apiVersion: 'cineweave.io/v1alpha1', kind: 'WorkerPool', metadata: { name: 'pool' }, spec: {} },
    })) as KubeObject;
    const apps = config.makeApiClient(AppsV1Api);
    const owned = deployment('pool-workers', 1);
    owned.metadata!.ownerReferences = [
      {
        apiVersion: 'cineweave.io/v1alpha1',
        kind: 'WorkerPool',
        name: 'pool',
        uid: pool.metadata.uid!,
        controller: true,
        blockOwnerDeletion: true,
      },
    ];
    await apps.createNamespacedDeployment({ namespace: ns, body: owned });
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('unowned', 1) });

    await custom.deleteNamespacedCustomObject({ ...WORKERPOOLS, namespace: ns, name: 'pool' });
    await waitUntil(
      () => !server.getObject('apps/v1', 'Deployment', ns, 'pool-workers'),
      'the owned Deployment to be collected',
    );
    expect(server.getObject('apps/v1', 'Deployment', ns, 'unowned')).toBeDefined();
  });

  it('should keep a Lease safe for leader election with resourceVersion-guarded renewals', async () => {
    const ns = namespace();
    const coordination = config.makeApiClient(CoordinationV1Api);
    const lease = await coordination.createNamespacedLease({
      namespace: ns,
      body: {
        metadata: { name: 'cineweave-operator' },
        spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
      },
    });
    const renewed = await coordination.replaceNamespacedLease({
      name: 'cineweave-operator',
      namespace: ns,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'a', renewTime: new Date() } },
    });
    const stolen = await statusOf(
      coordination.replaceNamespacedLease({
        name: 'cineweave-operator',
        namespace: ns,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } },
      }),
    );
    expect(stolen.code).toBe(409);
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(
      Number(lease.metadata?.resourceVersion),
    );
    const duplicate = await statusOf(
      coordination.createNamespacedLease({
        namespace: ns,
        body: { metadata: { name: 'cineweave-operator' } },
      }),
    );
    expect(duplicate.code).toBe(409);
    expect(duplicate.body.reason).toBe('AlreadyExists');
  });

  it('should select by label and by metadata.name, and answer a missing object with a NotFound Status', async () => {
    const ns = namespace();
    for (const [name, pool] of [
      ['a1', 'a'],
      ['a2', 'a'],
      ['b1', 'b'],
    ]) {
      await custom.createNamespacedCustomObject({
        ...VIDEOJOBS,
        namespace: ns,
        body: videoJob(name, { pool }),
      });
    }
    const names = (list: unknown) =>
      (list as { items: KubeObject[] }).items.map((item) => item.metadata.name);
    expect(
      names(
        await custom.listNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, labelSelector: 'pool=a' }),
      ),
    ).toEqual(['a1', 'a2']);
    expect(
      names(
        await custom.listNamespacedCustomObject({
          ...VIDEOJOBS,
          namespace: ns,
          labelSelector: 'pool in (a,b),pool!=a',
        }),
      ),
    ).toEqual(['b1']);
    expect(
      names(
        await custom.listNamespacedCustomObject({
          ...VIDEOJOBS,
          namespace: ns,
          fieldSelector: 'metadata.name=a2',
        }),
      ),
    ).toEqual(['a2']);

    const missing = await statusOf(
      custom.getNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, name: 'nope' }),
    );
    expect(missing).toEqual({
      code: 404,
      body: expect.objectContaining({
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        message: 'videojobs.cineweave.io "nope" not found',
      }),
    });
    const noNamespace = await statusOf(
      custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: 'nowhere', body: videoJob('x') }),
    );
    expect(noNamespace.body.message).toBe('namespaces "nowhere" not found');
  });

  it('should serve the discovery-driven KubernetesObjectApi: apply, read and list by apiVersion and kind', async () => {
    const ns = namespace();
    const objects = KubernetesObjectApi.makeApiClient(config);
    const applied = await objects.patch(
      { ...deployment('generic', 2), metadata: { name: 'generic', namespace: ns } },
      undefined,
      undefined,
      'cineweave-operator',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.spec?.replicas).toBe(2);
    await objects.create({ ...videoJob('generic'), metadata: { name: 'generic', namespace: ns } });
    const read = await objects.read({
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'VideoJob',
      metadata: { name: 'generic', namespace: ns },
    });
    // Read back with the CRD's structural defaults applied.
    expect((read as KubeObject).spec).toMatchObject({ priority: 50 });
    const list = await objects.list('apps/v1', 'Deployment', ns);
    expect(list.items.map((item) => item.metadata?.name)).toEqual(['generic']);
  });

  it('should page lists with limit and continue', async () => {
    const ns = namespace();
    for (const name of ['p1', 'p2', 'p3'])
      await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob(name) });
    const first = (await custom.listNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, limit: 2 })) as {
      items: KubeObject[];
      metadata: { continue?: string };
    };
    expect(first.items.map((item) => item.metadata.name)).toEqual(['p1', 'p2']);
    const token = first.metadata.continue;
    expect(token).toBeTruthy();
    const rest = (await custom.listNamespacedCustomObject({
      ...VIDEOJOBS,
      namespace: ns,
      limit: 2,
      _continue: token,
    })) as { items: KubeObject[]; metadata: { continue?: string } };
    expect(rest.items.map((item) => item.metadata.name)).toEqual(['p3']);
    expect(rest.metadata.continue).toBeUndefined();
  });

  it('should tell a watch with a label selector that an object left the selection', async () => {
    const ns = namespace();
    await custom.createNamespacedCustomObject({
      ...VIDEOJOBS,
      namespace: ns,
      body: videoJob('mover', { pool: 'a' }),
    });
    const events: string[] = [];
    const request = await new Watch(config).watch(
      `/apis/cineweave.io/v1alpha1/namespaces/${ns}/videojobs`,
      { labelSelector: 'pool=a' },
      (type, object: KubeObject) => events.push(`${type} ${object.metadata.labels?.pool}`),
      () => undefined,
    );
    stoppers.push(() => request.abort());
    await waitUntil(() => events.length === 1, 'the initial ADDED');
    await custom.patchNamespacedCustomObject(
      { ...VIDEOJOBS, namespace: ns, name: 'mover', body: { metadata: { labels: { pool: 'b' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitUntil(() => events.length === 2, 'the DELETED');
    expect(events).toEqual(['ADDED a', 'DELETED b']);
  });

  it('should send bookmarks to watches that allow them', async () => {
    const ns = namespace();
    await custom.createNamespacedCustomObject({ ...VIDEOJOBS, namespace: ns, body: videoJob('marked') });
    const types: string[] = [];
    const request = await new Watch(config).watch(
      `/apis/cineweave.io/v1alpha1/namespaces/${ns}/videojobs`,
      { allowWatchBookmarks: true },
      (type) => types.push(type),
      () => undefined,
    );
    stoppers.push(() => request.abort());
    await waitUntil(() => types.includes('BOOKMARK'), 'a bookmark');
    expect(types[0]).toBe('ADDED');
  });

  it('should store events.k8s.io/v1 Events where core/v1 readers find them', async () => {
    const ns = namespace();
    const events = config.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: 'job.1' },
        eventTime: new Date(),
        reason: 'Accepted',
        note: 'The API admitted the job',
        type: 'Normal',
        action: 'Submit',
        reportingController: 'cineweave.io/operator',
        reportingInstance: 'operator-0',
        regarding: {
          apiVersion: 'cineweave.io/v1alpha1',
          kind: 'VideoJob',
          name: 'job',
          namespace: ns,
          uid: 'u-1',
        },
      },
    });
    const core = config.makeApiClient(CoreV1Api);
    const found = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: 'involvedObject.name=job,involvedObject.kind=VideoJob',
    });
    expect(found.items.map((event) => [event.reason, event.message])).toEqual([
      ['Accepted', 'The API admitted the job'],
    ]);
  });
});
