import { readFile } from 'node:fs/promises';
import { WorkerPoolSpecSchema } from '@cineweave/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workerDeployment } from '../src/controllers/workerpool/worker-deployment.ts';
import { KubeApiServer } from './kube-api-server/kube-api-server.ts';
import {
  BuiltinSchemas,
  MINIMUM_KUBERNETES,
  MINIMUM_KUBERNETES_VERSION,
} from './kube-api-server/kubernetes-api/builtin-schema.ts';

const repo = new URL('../../', import.meta.url);
const builtins = BuiltinSchemas.minimum();

/** A pool with every override the CRD allows, so the Deployment carries every field it can. */
function fullDeployment(engine?: Record<string, unknown>): Record<string, unknown> {
  const spec = WorkerPoolSpecSchema.parse({
    ...(engine ? { engine } : {}),
    model: 'wan2.2-ti2v-5b',
    minReplicas: 1,
    maxReplicas: 4,
    gpu: { resourceName: 'nvidia.com/gpu', count: 1 },
    image: 'ghcr.io/cineweave/gpu-worker:0.1.0',
    resources: { requests: { cpu: '8', memory: '64Gi' }, limits: { memory: '80Gi' } },
    nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule', tolerationSeconds: 60 },
    ],
    runtimeClassName: 'nvidia',
    priorityClassName: 'gpu-high',
  });
  return workerDeployment(
    { name: 'h100', namespace: 'gpu', uid: '3f9c8a7e-6d5b-4c4a-9b3a-2e1f0d9c8b7a' },
    spec,
    2,
    {
      image: 'ghcr.io/cineweave/gpu-worker:0.1.0',
      imagePullPolicy: 'IfNotPresent',
      secretName: 'cineweave-worker',
      configMapName: 'cineweave-worker',
      serviceAccountName: 'cineweave-worker',
      metricsPort: 9464,
      shutdownGraceSeconds: 1800,
      modelDir: '/models',
      modelPvc: 'cineweave-models',
      gpuHourlyCostUsd: 2.5,
    },
  );
}

describe(`Minimum Kubernetes version ${MINIMUM_KUBERNETES}`, () => {
  let server: KubeApiServer;

  beforeAll(async () => {
    server = await KubeApiServer.start();
  });
  afterAll(() => server.close());

  it('should be what Chart.yaml, the docs, the vendored schema and the test server say', async () => {
    const chart = parse(await readFile(new URL('charts/cineweave/Chart.yaml', repo), 'utf8')) as {
      kubeVersion: string;
    };
    expect(chart.kubeVersion).toBe(`>=${MINIMUM_KUBERNETES}.0-0`);
    const docs = await readFile(new URL('docs/deployment.md', repo), 'utf8');
    expect(docs).toContain(`**Kubernetes ${MINIMUM_KUBERNETES} or newer**`);
    expect(builtins.schema.kubernetesVersion).toMatch(
      new RegExp(`^${MINIMUM_KUBERNETES.replace('.', '\\.')}\\.`),
    );
    const version = (await (await fetch(`${server.url}/version`)).json()) as { major: string; minor: string };
    expect(version).toMatchObject({
      major: String(MINIMUM_KUBERNETES_VERSION.major),
      minor: String(MINIMUM_KUBERNETES_VERSION.minor),
    });
  });

  it('should render the worker Deployment with only fields the minimum version has and enables', () => {
    const check = builtins.check('apps/v1', 'Deployment', fullDeployment(), false);
    expect(check).toEqual({ unknown: [], unknownTyped: [], typeErrors: [], causes: [] });
  });

  // The engine is a native sidecar (an init container with restartPolicy Always): KEP-753's
  // SidecarContainers gate is beta and on by default from 1.29 (kubernetes/website
  // feature-gates/SidecarContainers.md), and from 1.29 the kubelet also stops sidecars only after
  // the main containers (kubernetes/kubernetes#120620), which the worker's graceful shutdown needs.
  it('should render the openai-videos worker Deployment with only fields the minimum version has and enables', () => {
    const deployment = fullDeployment({
      kind: 'openai-videos',
      image: 'vllm/vllm-omni:v0.25.0',
      imagePullPolicy: 'IfNotPresent',
      command: ['vllm', 'serve'],
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni'],
      port: 8000,
      healthPath: '/health',
      startupTimeoutSeconds: 1800,
      env: [
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token', optional: true } } },
        { name: 'VLLM_NO_USAGE_STATS', value: '1' },
      ],
      resources: { requests: { cpu: '8', memory: '64Gi' }, limits: { memory: '96Gi' } },
      shmSize: '16Gi',
      modelCache: { claimName: 'hf-cache' },
      securityContext: {
        runAsUser: 1000,
        runAsGroup: 1000,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
      },
    }) as { spec: { template: { spec: { initContainers?: Array<{ restartPolicy?: string }> } } } };
    expect(deployment.spec.template.spec.initContainers?.[0]?.restartPolicy).toBe('Always');
    const check = builtins.check('apps/v1', 'Deployment', deployment, false);
    expect(check).toEqual({ unknown: [], unknownTyped: [], typeErrors: [], causes: [] });
  });

  it('should flag a preStop sleep, alpha and off by default in the minimum version', () => {
    const deployment = fullDeployment() as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    deployment.spec.template.spec.containers[0].lifecycle = { preStop: { sleep: { seconds: 5 } } };
    expect(builtins.check('apps/v1', 'Deployment', deployment, false).causes).toEqual([
      expect.objectContaining({
        field: 'spec.template.spec.containers[0].lifecycle.preStop.sleep',
        message: expect.stringContaining(
          'PodLifecycleSleepAction feature gate, off by default in Kubernetes 1.29',
        ),
      }),
    ]);
  });

  it('should fail a server-side apply with a field the minimum version lacks, as kube-apiserver does', async () => {
    const deployment = fullDeployment() as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    deployment.metadata = { name: 'h100-workers', namespace: 'default' };
    (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec.appArmorProfile = {
      type: 'RuntimeDefault',
    };
    const response = await fetch(
      `${server.url}/apis/apps/v1/namespaces/default/deployments/h100-workers?fieldManager=test&force=true`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
        body: JSON.stringify(deployment),
      },
    );
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toBe(
      'failed to create typed patch object (default/h100-workers; apps/v1, Kind=Deployment): .spec.template.spec.appArmorProfile: field not declared in schema',
    );
  });

  it('should refuse an unknown field with fieldValidation=Strict and drop it with a warning by default', async () => {
    const deployment = fullDeployment() as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    deployment.metadata = { name: 'strict-workers', namespace: 'default' };
    deployment.spec.surprise = true;
    const post = (validation: string) =>
      fetch(`${server.url}/apis/apps/v1/namespaces/default/deployments?fieldValidation=${validation}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(deployment),
      });
    const strict = await post('Strict');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { message: string }).message).toBe(
      'strict decoding error: unknown field "spec.surprise"',
    );
    const warned = await post('Warn');
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toContain('unknown field \\"spec.surprise\\"');
  });
});
