import { WorkerPoolSpecSchema } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { workerDeployment, type WorkerTemplateConfig } from './worker-deployment.ts';

const config: WorkerTemplateConfig = {
  image: 'ghcr.io/cineweave/gpu-worker:0.1.0',
  imagePullPolicy: 'IfNotPresent',
  secretName: 'cw-worker',
  metricsPort: 9464,
  shutdownGraceSeconds: 600,
  modelDir: '/models/wan',
  modelPvc: 'cw-models',
  gpuHourlyCostUsd: 2.5,
};

interface Container {
  name: string;
  image: string;
  restartPolicy?: string;
  command?: string[];
  args?: string[];
  env: { name: string; value?: string; valueFrom?: unknown }[];
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
  resources: { requests?: Record<string, unknown>; limits: Record<string, unknown> };
  ports: { name: string; containerPort: number }[];
  startupProbe?: { httpGet: { path: string; port: string }; periodSeconds: number; failureThreshold: number };
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
}

interface PodSpec {
  automountServiceAccountToken?: boolean;
  securityContext: Record<string, unknown>;
  initContainers?: Container[];
  containers: Container[];
  volumes: ({ name: string } & Record<string, unknown>)[];
  tolerations: unknown[];
}

const podOf = (deployment: unknown) =>
  (deployment as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const envOf = (container: Container | undefined) =>
  Object.fromEntries((container?.env ?? []).map((entry) => [entry.name, entry.value ?? entry.valueFrom]));

describe(workerDeployment.name, () => {
  const deployment = workerDeployment(
    { name: 'h100', namespace: 'gpu', uid: 'u-1' },
    WorkerPoolSpecSchema.parse({ maxReplicas: 4 }),
    2,
    config,
  );
  const pod = podOf(deployment);

  it('should hold worker pods to Pod Security restricted as far as a GPU pod can be', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const [container] = pod.containers;
    expect(container?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // With a read-only root, the encoder's temporary MP4 needs a writable /tmp.
    expect(container?.volumeMounts.map((mount) => mount.mountPath)).toContain('/tmp');
  });

  it('should request the pool GPU and tolerate the GPU taint', () => {
    expect(pod.containers[0]?.resources.limits).toMatchObject({ 'nvidia.com/gpu': '1' });
    expect(pod.tolerations).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'nvidia.com/gpu' })]),
    );
  });

  it('should render the onnx engine inside the worker, with the model directory and no second container', () => {
    expect(pod.initContainers).toBeUndefined();
    expect(envOf(pod.containers[0])).toMatchObject({
      ENGINE_KIND: 'onnx',
      MODEL_DIR: '/models/wan',
      DEVICE: 'cuda',
    });
    expect(pod.volumes.find((volume) => volume.name === 'models')).toEqual({
      name: 'models',
      persistentVolumeClaim: { claimName: 'cw-models', readOnly: true },
    });
  });
});

describe(`${workerDeployment.name} with an openai-videos engine`, () => {
  const spec = WorkerPoolSpecSchema.parse({
    maxReplicas: 2,
    gpu: { resourceName: 'nvidia.com/gpu', count: 2 },
    resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } },
    engine: {
      kind: 'openai-videos',
      image: 'vllm/vllm-omni:v0.25.0',
      command: ['vllm', 'serve'],
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni', '--port', '8091'],
      port: 8091,
      startupTimeoutSeconds: 2400,
      env: [
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
        { name: 'HOME', value: '/cache/home' },
      ],
      resources: { requests: { cpu: '8', memory: '64Gi' }, limits: { memory: '96Gi' } },
      modelCache: { claimName: 'hf-cache' },
    },
  });
  const pod = podOf(workerDeployment({ name: 'omni', namespace: 'gpu', uid: 'u-2' }, spec, 1, config));
  const engine = pod.initContainers?.[0];
  const worker = pod.containers[0];

  it('should run the server as a native sidecar that owns every GPU of the pod', () => {
    expect(pod.initContainers).toHaveLength(1);
    expect(engine).toMatchObject({
      name: 'engine',
      image: 'vllm/vllm-omni:v0.25.0',
      restartPolicy: 'Always',
      command: ['vllm', 'serve'],
      args: ['Wan-AI/Wan2.2-TI2V-5B-Diffusers', '--omni', '--port', '8091'],
      ports: [{ name: 'engine', containerPort: 8091, protocol: 'TCP' }],
      resources: {
        requests: { cpu: '8', memory: '64Gi' },
        limits: { memory: '96Gi', 'nvidia.com/gpu': '2' },
      },
    });
    expect(worker.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '4Gi' } });
  });

  it('should point the worker at the server over loopback and hide the GPUs from it', () => {
    expect(envOf(worker)).toMatchObject({
      ENGINE_KIND: 'openai-videos',
      ENGINE_URL: 'http://127.0.0.1:8091',
      ENGINE_HEALTH_PATH: '/health',
      ENGINE_START_TIMEOUT_SECONDS: '2400',
      NVIDIA_VISIBLE_DEVICES: 'void',
    });
    expect(envOf(worker)).not.toHaveProperty('MODEL_DIR');
    expect(worker.volumeMounts.map((mount) => mount.name)).toEqual(['tmp']);
    expect(pod.volumes.map((volume) => volume.name)).not.toContain('models');
  });

  it('should give the server probes on its health path, the startup one as long as the model load may take', () => {
    const health = { path: '/health', port: 'engine' };
    expect(engine?.startupProbe).toMatchObject({ httpGet: health, periodSeconds: 10, failureThreshold: 240 });
    expect(engine?.readinessProbe).toMatchObject({ httpGet: health });
    expect(engine?.livenessProbe).toMatchObject({ httpGet: health });
  });

  it('should keep the server restricted with writable /tmp, shared memory and the model cache', () => {
    expect(engine?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(engine?.volumeMounts.map((mount) => mount.mountPath)).toEqual(['/tmp', '/dev/shm', '/cache']);
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: 'engine-shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
        { name: 'engine-cache', persistentVolumeClaim: { claimName: 'hf-cache' } },
      ]),
    );
  });

  it('should let the pool override the default variables by name, each name once', () => {
    expect(engine?.env).toEqual([
      { name: 'HF_HOME', value: '/cache/huggingface' },
      { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf', key: 'token' } } },
      { name: 'HOME', value: '/cache/home' },
    ]);
  });

  it('should apply the engine defaults and the security overrides when the pool gives them', () => {
    const relaxed = WorkerPoolSpecSchema.parse({
      engine: {
        kind: 'openai-videos',
        image: 'example/server:1',
        securityContext: { runAsUser: 0, runAsNonRoot: false, readOnlyRootFilesystem: false },
        modelCache: { sizeLimit: '40Gi' },
      },
    });
    const relaxedPod = podOf(
      workerDeployment({ name: 'r', namespace: 'gpu', uid: 'u-3' }, relaxed, 1, config),
    );
    const server = relaxedPod.initContainers?.[0];
    expect(server?.ports).toEqual([{ name: 'engine', containerPort: 8000, protocol: 'TCP' }]);
    expect(server?.startupProbe?.failureThreshold).toBe(180);
    expect(server?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { drop: ['ALL'] },
      runAsUser: 0,
      runAsNonRoot: false,
    });
    expect(relaxedPod.volumes).toContainEqual({ name: 'engine-cache', emptyDir: { sizeLimit: '40Gi' } });
    expect(envOf(relaxedPod.containers[0])['ENGINE_URL']).toBe('http://127.0.0.1:8000');
  });
});

describe('worker Content Credentials', () => {
  const spec = WorkerPoolSpecSchema.parse({ maxReplicas: 1 });
  const identity = { name: 'h100', namespace: 'gpu', uid: 'u-1' };

  it('should mount the signing Secret read-only and point the worker at its certificate and key', () => {
    const pod = podOf(
      workerDeployment(identity, spec, 1, { ...config, contentCredentialsSecret: 'cw-c2pa' }),
    );
    const worker = pod.containers[0];
    expect(pod.volumes).toContainEqual({
      name: 'content-credentials',
      secret: { secretName: 'cw-c2pa', defaultMode: 0o440 },
    });
    expect(worker?.volumeMounts).toContainEqual({
      name: 'content-credentials',
      mountPath: '/etc/cineweave/content-credentials',
      readOnly: true,
    });
    expect(envOf(worker)).toMatchObject({
      CONTENT_CREDENTIALS_CERT_FILE: '/etc/cineweave/content-credentials/tls.crt',
      CONTENT_CREDENTIALS_KEY_FILE: '/etc/cineweave/content-credentials/tls.key',
    });
  });

  it('should mount nothing when no signing Secret is configured (the worker settings decide)', () => {
    const pod = podOf(workerDeployment(identity, spec, 1, config));
    expect(pod.volumes.map((volume) => volume.name)).not.toContain('content-credentials');
    expect(envOf(pod.containers[0])).not.toHaveProperty('CONTENT_CREDENTIALS_CERT_FILE');
  });
});
