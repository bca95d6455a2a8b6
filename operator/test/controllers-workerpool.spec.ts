import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPoolStatus } from '@cineweave/contracts';
import { OPERATOR_PERMISSIONS, POD_DELETION_COST_ANNOTATION } from '@cineweave/contracts';
import { httpBusyProbe } from '../src/controllers/workerpool/pod-busy-probe.ts';
import { POOL_LABEL } from '../src/controllers/workerpool/worker-deployment.ts';
import { WORKERPOOL_RESOURCE } from '../src/controllers/workerpool/workerpool-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import type { Operator } from '../src/operator.ts';
import type { OperatorMetrics } from '../src/observability/operator-metrics.ts';
import { clientFor, eventually, KubeApiServer, startOperator } from './controllers-harness.ts';
import type { RbacCall } from './controllers-permissions.ts';
import { notPermitted, recordCalls } from './controllers-permissions.ts';
import { StubApi } from './controllers-stub-api.ts';

const NS = 'gpu';
const MODEL = 'wan2.2-ti2v-5b';

/** A stand-in worker's /metrics: the busy gauge the real worker serves. */
class FakeWorkerMetrics {
  busy = false;
  private server!: Server;
  port = 0;
  async start(): Promise<void> {
    this.server = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(`# TYPE cineweave_worker_busy gauge\ncineweave_worker_busy ${this.busy ? 1 : 0}\n`);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type Deployment = KubeObject & {
  spec: {
    replicas: number;
    template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
  };
};

describe('WorkerPoolController against the test API server', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  let operator: Operator;
  let metrics: OperatorMetrics;
  let calls: RbacCall[];
  const workers = [new FakeWorkerMetrics(), new FakeWorkerMetrics(), new FakeWorkerMetrics()];

  beforeAll(async () => {
    server = await KubeApiServer.start({ namespaces: ['default', NS] });
    client = clientFor(server);
    api = await StubApi.start();
    for (const worker of workers) await worker.start();
    const operatorClient = clientFor(server);
    calls = recordCalls(operatorClient);
    ({ operator, metrics } = startOperator({
      client: operatorClient,
      apiUrl: api.url,
      token: 'x'.repeat(32),
      probe: httpBusyProbe(9464, 1_000),
    }));
  });

  afterAll(async () => {
    await operator?.stop();
    await api?.close();
    for (const worker of workers) await worker.close();
    await server?.close();
  });

  const deploymentPath = resourcePath(RESOURCES.deployments, NS, 'render-workers');
  const readDeployment = () => client.get<Deployment>(deploymentPath);
  const readPool = () =>
    client.get<KubeObject & { status?: WorkerPoolStatus }>(resourcePath(WORKERPOOL_RESOURCE, NS, 'render'));

  /** What the ReplicaSet controller would do: one pod per replica, here with a reachable /metrics. */
  async function createWorkerPods(): Promise<void> {
    for (const [index, worker] of workers.entries()) {
      const pod = await client.create(resourcePath(RESOURCES.pods, NS), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `render-workers-${index}`,
          namespace: NS,
          labels: { [POOL_LABEL]: 'render' },
          annotations: { 'prometheus.io/port': String(worker.port) },
        },
        spec: { containers: [{ name: 'worker', image: 'ghcr.io/cineweave/gpu-worker:test' }] },
      });
      await client.replace(resourcePath(RESOURCES.pods, NS, pod.metadata.name, 'status'), {
        ...pod,
        status: { phase: 'Running', podIP: '127.0.0.1' },
      });
    }
  }

  it('should create a GPU worker Deployment owned by the pool with no replicas when there is no backlog', async () => {
    const pool = await client.create(resourcePath(WORKERPOOL_RESOURCE, NS), {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'render', namespace: NS },
      spec: {
        model: MODEL,
        minReplicas: 0,
        maxReplicas: 3,
        jobsPerReplica: 1,
        scaleDownDelaySeconds: 1,
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
        runtimeClassName: 'nvidia',
        priorityClassName: 'gpu-batch',
      },
    });
    const deployment = await eventually(readDeployment, () => true, 'worker Deployment');
    expect(deployment.spec.replicas).toBe(0);
    expect(deployment.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'WorkerPool',
        name: 'render',
        uid: pool.metadata.uid,
        controller: true,
      }),
    ]);
    const podSpec = deployment.spec.template.spec;
    expect(podSpec).toMatchObject({
      nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
      runtimeClassName: 'nvidia',
      priorityClassName: 'gpu-batch',
      terminationGracePeriodSeconds: 1830,
    });
    expect(podSpec.tolerations).toContainEqual({
      key: 'nvidia.com/gpu',
      operator: 'Exists',
      effect: 'NoSchedule',
    });
    expect(podSpec.containers[0]).toMatchObject({
      resources: { limits: { 'nvidia.com/gpu': '1' } },
      readinessProbe: { httpGet: { path: '/readyz' } },
    });
  });

  it('should scale 0 → N at once when the backlog rises, capped at maxReplicas', async () => {
    api.backlog.set(MODEL, { waiting: 4, active: 1 });
    const deployment = await eventually(readDeployment, (d) => d.spec.replicas === 3, '3 replicas');
    expect(deployment.spec.replicas).toBe(3);
    const pool = await eventually(readPool, (p) => p.status?.backlog === 5, 'pool status');
    expect(pool.status).toMatchObject({ desiredReplicas: 3, backlog: 5 });
    expect(pool.status?.conditions?.find((c) => c.type === 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'AtMaxReplicas',
    });
    // What the "pool at max replicas" alert compares: desired >= max while a backlog waits.
    const scraped = await metrics.registry.metrics();
    expect(scraped).toMatch(/^cineweave_operator_pool_max_replicas\{namespace="[^"]+",pool="[^"]+"\} 3$/m);
    expect(scraped).toMatch(/^cineweave_operator_pool_backlog\{namespace="[^"]+",pool="[^"]+"\} 5$/m);
  });

  it('should scale N → 0 only after the delay and never below the busy workers', async () => {
    await createWorkerPods();
    workers[1].busy = true;
    api.backlog.set(MODEL, { waiting: 0, active: 1 });
    const loweredAt = Date.now();
    const held = await eventually(readDeployment, (d) => d.spec.replicas < 3, 'scale-down', 10_000);
    expect(Date.now() - loweredAt).toBeGreaterThanOrEqual(900);
    expect(held.spec.replicas).toBe(1);
    const costs = await eventually(
      () => client.list(resourcePath(RESOURCES.pods, NS)),
      (list) =>
        list.items.every((pod) => pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION] !== undefined),
      'deletion costs',
    );
    const costOf = (name: string) =>
      costs.items.find((pod) => pod.metadata.name === name)?.metadata.annotations?.[
        POD_DELETION_COST_ANNOTATION
      ];
    expect(costOf('render-workers-1')).toBe('1000');
    expect(costOf('render-workers-0')).toBe('0');
    expect(costOf('render-workers-2')).toBe('0');

    // The stats say nobody needs a worker, but worker 1 is still rendering: it stays.
    api.backlog.set(MODEL, { waiting: 0, active: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await readDeployment()).spec.replicas).toBe(1);
    expect((await readPool()).status?.conditions?.find((c) => c.type === 'ScaleDownPending')).toMatchObject({
      status: 'True',
      reason: 'BusyWorkers',
    });

    workers[1].busy = false;
    await eventually(readDeployment, (d) => d.spec.replicas === 0, '0 replicas');
    const pool = await eventually(readPool, (p) => p.status?.desiredReplicas === 0, 'pool status at zero');
    expect(pool.status?.conditions?.find((c) => c.type === 'ScalingLimited')?.status).toBe('False');
  });

  it('should make only the Kubernetes calls the chart grants (OPERATOR_PERMISSIONS)', () => {
    expect(calls.some((call) => call.resource === 'pods' && call.verb === 'patch')).toBe(true);
    expect(notPermitted(calls, OPERATOR_PERMISSIONS)).toEqual([]);
  });
});
