import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, WorkerPoolStatus } from '@cineweave/contracts';
import { POOL_LABEL } from '../src/controllers/workerpool/worker-deployment.ts';
import { WORKERPOOL_RESOURCE } from '../src/controllers/workerpool/workerpool-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import type { Operator } from '../src/operator.ts';
import { clientFor, eventually, KubeApiServer, startOperator } from './controllers-harness.ts';
import { StubApi } from './controllers-stub-api.ts';

const NS = 'gpu';
const MODEL = 'wan2.2-ti2v-5b';

interface Container {
  name: string;
  restartPolicy?: string;
  env?: { name: string; value?: string }[];
  resources?: { limits?: Record<string, string> };
}
type Deployment = KubeObject & {
  spec: {
    replicas: number;
    template: {
      spec: { initContainers?: Container[]; containers: Container[]; volumes: { name: string }[] };
    };
  };
};
type Pool = KubeObject & { status?: WorkerPoolStatus };

const engineOf = (pool: Pool): Condition | undefined =>
  pool.status?.conditions?.find((condition) => condition.type === 'EngineReady');

/**
 * A pool whose engine is vLLM-Omni: the Deployment the operator applies to the test API server (which
 * holds it to Kubernetes 1.29's schema), and the engine's readiness reported from the pods.
 */
describe('WorkerPoolController with an openai-videos engine', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  let operator: Operator;

  beforeAll(async () => {
    server = await KubeApiServer.start({ namespaces: ['default', NS] });
    client = clientFor(server);
    api = await StubApi.start();
    ({ operator } = startOperator({ client: clientFor(server), apiUrl: api.url, token: 'x'.repeat(32) }));
  });

  afterAll(async () => {
    await operator?.stop();
    await api?.close();
    await server?.close();
  });

  const poolPath = resourcePath(WORKERPOOL_RESOURCE, NS, 'omni');
  const readPool = () => client.get<Pool>(poolPath);
  const readDeployment = () =>
    client.get<Deployment>(resourcePath(RESOURCES.deployments, NS, 'omni-workers'));

  /** What the ReplicaSet controller and the kubelet would do: one pod, its engine in a given state. */
  async function workerPod(engineStatus: Record<string, unknown>): Promise<void> {
    const podPath = resourcePath(RESOURCES.pods, NS, 'omni-workers-0');
    const existing = await client.get<KubeObject>(podPath).catch(() => undefined);
    const pod =
      existing ??
      (await client.create(resourcePath(RESOURCES.pods, NS), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'omni-workers-0', namespace: NS, labels: { [POOL_LABEL]: 'omni' } },
        spec: {
          initContainers: [{ name: 'engine', image: 'vllm/vllm-omni:v0.25.0', restartPolicy: 'Always' }],
          containers: [{ name: 'worker', image: 'ghcr.io/cineweave/gpu-worker:test' }],
        },
      }));
    await client.replace(resourcePath(RESOURCES.pods, NS, 'omni-workers-0', 'status'), {
      ...pod,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'engine', image: 'vllm/vllm-omni:v0.25.0', imageID: '', restartCount: 0, ...engineStatus },
        ],
      },
    });
  }

  it('should apply a pod whose engine sidecar holds the GPU and whose worker calls it on localhost', async () => {
    api.backlog.set(MODEL, { waiting: 1, active: 0 });
    await client.create(resourcePath(WORKERPOOL_RESOURCE, NS), {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'omni', namespace: NS },
      spec: {
        model: MODEL,
        maxReplicas: 2,
        resources: { requests: { cpu: '1', memory: '2Gi' } },
        engine: {
          kind: 'openai-videos',
          image: 'vllm/vllm-omni:v0.25.0',
          command: ['vllm', 'serve'],
          args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni', '--port', '8091'],
          port: 8091,
          env: [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } }],
        },
      },
    });
    const deployment = await eventually(readDeployment, (d) => d.spec.replicas === 1, 'worker Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.initContainers?.map((container) => [container.name, container.restartPolicy])).toEqual([
      ['engine', 'Always'],
    ]);
    expect(pod.initContainers?.[0].resources?.limits).toEqual({ 'nvidia.com/gpu': '1' });
    const [worker] = pod.containers;
    expect(worker.resources?.limits ?? {}).not.toHaveProperty('nvidia.com/gpu');
    expect(worker.env).toEqual(
      expect.arrayContaining([
        { name: 'ENGINE_KIND', value: 'openai-videos' },
        { name: 'ENGINE_URL', value: 'http://127.0.0.1:8091' },
      ]),
    );
    expect(pod.volumes.map((volume) => volume.name)).toEqual([
      'engine-tmp',
      'engine-shm',
      'engine-cache',
      'tmp',
    ]);
    const pool = await eventually(readPool, (p) => engineOf(p) !== undefined, 'EngineReady');
    expect(engineOf(pool)).toMatchObject({ status: 'Unknown', reason: 'NoWorkers' });
  });

  it("should say in the pool's status why the engine is not ready, in the kubelet's words", async () => {
    await workerPod({
      ready: false,
      state: {
        waiting: {
          reason: 'ImagePullBackOff',
          message: 'Back-off pulling image "vllm/vllm-omni:v0.25.0"',
        },
      },
    });
    // The pool may first say EnginePending (the pod seen before its container status): wait for the
    // kubelet's reason itself.
    const pulling = await eventually(
      readPool,
      (p) => engineOf(p)?.reason === 'ImagePullBackOff',
      'engine not ready',
    );
    expect(engineOf(pulling)).toMatchObject({
      reason: 'ImagePullBackOff',
      message:
        '0 of 1 engines are ready; pod omni-workers-0: ImagePullBackOff: Back-off pulling image "vllm/vllm-omni:v0.25.0"',
    });

    await workerPod({
      ready: false,
      started: false,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    });
    await eventually(readPool, (p) => engineOf(p)?.reason === 'EngineStarting', 'engine starting');

    await workerPod({
      ready: true,
      started: true,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    });
    const ready = await eventually(readPool, (p) => engineOf(p)?.status === 'True', 'engine ready');
    expect(engineOf(ready)).toMatchObject({
      reason: 'EnginesReady',
      message: '1 of 1 engines answer /health.',
    });
  });

  it("should refuse an engine port that is the worker's metrics port, and touch nothing", async () => {
    const before = await readDeployment();
    await client.mergePatch(poolPath, { spec: { engine: { port: 9464 } } });
    const refused = await eventually(
      readPool,
      (p) => p.status?.conditions?.some((c) => c.reason === 'InvalidSpec') === true,
      'InvalidSpec',
    );
    expect(refused.status?.conditions?.find((c) => c.type === 'Available')?.message).toContain(
      "spec.engine.port 9464 is the worker's metrics port",
    );
    // The Deployment controller may still write its status; the operator must not change the object.
    const after = await readDeployment();
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec).toEqual(before.spec);
  });

  it('should go back to the onnx engine inside the worker and drop EngineReady when the engine is removed', async () => {
    await client.mergePatch(poolPath, { spec: { engine: null } });
    const deployment = await eventually(
      readDeployment,
      (d) => d.spec.template.spec.initContainers === undefined,
      'Deployment without the engine',
      4_000,
    );
    const [worker] = deployment.spec.template.spec.containers;
    expect(worker.env).toEqual(expect.arrayContaining([{ name: 'ENGINE_KIND', value: 'onnx' }]));
    expect(worker.resources?.limits).toEqual({ 'nvidia.com/gpu': '1' });
    const pool = await eventually(readPool, (p) => engineOf(p) === undefined, 'EngineReady removed');
    expect(pool.status?.conditions?.find((c) => c.type === 'Available')?.reason).not.toBe('InvalidSpec');
  });
});
