import type { WorkerEngine } from '@cineweave/contracts';
import { ENGINE_MODEL_CACHE_PATH, ENGINE_SERVER_DEFAULTS } from '@cineweave/contracts';

/** Name of the server engine's container in a worker pod (a native sidecar: an init container). */
export const ENGINE_CONTAINER = 'engine';
const ENGINE_PORT_NAME = 'engine';
/** Compile caches and the server's own copy of each video (vLLM-Omni keeps it under /tmp/storage). */
const ENGINE_TMP_SIZE = '20Gi';
const PROBE_PERIOD_SECONDS = 10;

/** An `openai-videos` engine with every default applied. */
export interface ServerEngine {
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  port: number;
  healthPath: string;
  startupTimeoutSeconds: number;
  shmSize: string | number;
  env: NonNullable<WorkerEngine['env']>;
  resources?: WorkerEngine['resources'];
  modelCache: { claimName: string } | { sizeLimit: string | number };
  securityContext: NonNullable<WorkerEngine['securityContext']>;
}

/** The server engine of a pool, or undefined when the worker renders itself (`onnx`). */
export function serverEngine(engine: WorkerEngine | undefined): ServerEngine | undefined {
  if (engine?.kind !== 'openai-videos' || engine.image === undefined) return undefined;
  const cache = engine.modelCache;
  return {
    image: engine.image,
    imagePullPolicy: engine.imagePullPolicy,
    command: engine.command,
    args: engine.args,
    port: engine.port ?? ENGINE_SERVER_DEFAULTS.port,
    healthPath: engine.healthPath ?? ENGINE_SERVER_DEFAULTS.healthPath,
    startupTimeoutSeconds: engine.startupTimeoutSeconds ?? ENGINE_SERVER_DEFAULTS.startupTimeoutSeconds,
    shmSize: engine.shmSize ?? ENGINE_SERVER_DEFAULTS.shmSize,
    env: engine.env ?? [],
    resources: engine.resources,
    modelCache: cache?.claimName
      ? { claimName: cache.claimName }
      : { sizeLimit: cache?.sizeLimit ?? ENGINE_SERVER_DEFAULTS.modelCacheSize },
    securityContext: engine.securityContext ?? {},
  };
}

/** What in a pool's engine clashes with the operator's own worker settings, worded for status. */
export function engineConflicts(engine: ServerEngine | undefined, workerMetricsPort: number): string[] {
  if (!engine || engine.port !== workerMetricsPort) return [];
  return [
    `spec.engine.port ${engine.port} is the worker's metrics port in the same pod; start the server on another port (e.g. ${ENGINE_SERVER_DEFAULTS.port}) and set spec.engine.port to it`,
  ];
}

/** How the worker finds its engine: over the pod's loopback, never through a Service. */
export function workerEngineEnv(engine: ServerEngine): Array<{ name: string; value: string }> {
  return [
    { name: 'ENGINE_KIND', value: 'openai-videos' },
    { name: 'ENGINE_URL', value: `http://127.0.0.1:${engine.port}` },
    { name: 'ENGINE_HEALTH_PATH', value: engine.healthPath },
    { name: 'ENGINE_START_TIMEOUT_SECONDS', value: String(engine.startupTimeoutSeconds) },
    // CUDA base images set NVIDIA_VISIBLE_DEVICES=all; with it the NVIDIA runtime would hand every GPU
    // of the node to a container that requested none. The worker needs no GPU: the engine owns it.
    { name: 'NVIDIA_VISIBLE_DEVICES', value: 'void' },
  ];
}

/**
 * The server as a native sidecar (an init container with `restartPolicy: Always`, on by default since
 * Kubernetes 1.29): the kubelet starts the worker only once the engine's startup probe has passed, and
 * on shutdown stops the engine only after the worker has finished the job in hand, so a render is
 * never cut off by its own engine going first. It owns the pod's GPUs.
 */
export function engineContainer(
  engine: ServerEngine,
  gpuLimits: Record<string, string>,
): Record<string, unknown> {
  const probe = { httpGet: { path: engine.healthPath, port: ENGINE_PORT_NAME }, timeoutSeconds: 5 };
  return {
    name: ENGINE_CONTAINER,
    image: engine.image,
    ...(engine.imagePullPolicy ? { imagePullPolicy: engine.imagePullPolicy } : {}),
    ...(engine.command ? { command: engine.command } : {}),
    ...(engine.args ? { args: engine.args } : {}),
    restartPolicy: 'Always',
    env: engineEnv(engine),
    ports: [{ name: ENGINE_PORT_NAME, containerPort: engine.port, protocol: 'TCP' }],
    resources: {
      ...(engine.resources?.requests ? { requests: engine.resources.requests } : {}),
      limits: { ...(engine.resources?.limits ?? {}), ...gpuLimits },
    },
    // Downloading and loading the weights: liveness and readiness wait until this passes once.
    startupProbe: {
      ...probe,
      periodSeconds: PROBE_PERIOD_SECONDS,
      failureThreshold: Math.ceil(engine.startupTimeoutSeconds / PROBE_PERIOD_SECONDS),
    },
    readinessProbe: { ...probe, periodSeconds: PROBE_PERIOD_SECONDS, failureThreshold: 3 },
    // Lenient: a render keeps the GPU busy, and the worker already fails a job whose engine stops
    // answering; a restart is for a server that has stayed dead for two minutes.
    livenessProbe: { ...probe, timeoutSeconds: 10, periodSeconds: 30, failureThreshold: 4 },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: engine.securityContext.readOnlyRootFilesystem ?? true,
      capabilities: { drop: ['ALL'] },
      ...pick(engine.securityContext, ['runAsUser', 'runAsGroup', 'runAsNonRoot']),
    },
    volumeMounts: [
      { name: 'engine-tmp', mountPath: '/tmp' },
      { name: 'engine-shm', mountPath: '/dev/shm' },
      { name: 'engine-cache', mountPath: ENGINE_MODEL_CACHE_PATH },
    ],
  };
}

export function engineVolumes(engine: ServerEngine): Record<string, unknown>[] {
  return [
    { name: 'engine-tmp', emptyDir: { sizeLimit: ENGINE_TMP_SIZE } },
    // The container runtime's 64 MiB /dev/shm is far too small for PyTorch's inter-process tensors.
    { name: 'engine-shm', emptyDir: { medium: 'Memory', sizeLimit: String(engine.shmSize) } },
    'claimName' in engine.modelCache
      ? { name: 'engine-cache', persistentVolumeClaim: { claimName: engine.modelCache.claimName } }
      : { name: 'engine-cache', emptyDir: { sizeLimit: String(engine.modelCache.sizeLimit) } },
  ];
}

/** Writable homes for a read-only root, then the pool's own variables, which win by name. */
function engineEnv(engine: ServerEngine): Record<string, unknown>[] {
  const defaults = [
    { name: 'HOME', value: '/tmp' },
    { name: 'HF_HOME', value: `${ENGINE_MODEL_CACHE_PATH}/huggingface` },
  ];
  const own = new Set(engine.env.map((entry) => entry.name));
  return [...defaults.filter((entry) => !own.has(entry.name)), ...engine.env];
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(
    keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]),
  ) as Partial<Pick<T, K>>;
}
