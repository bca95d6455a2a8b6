import type { WorkerPoolSpec } from '@cineweave/contracts';
import { API_GROUP_VERSION, WORKERPOOL } from '@cineweave/contracts';
import type { KubeObject } from '../../kube/kube-object.ts';
import type { ServerEngine } from './engine-container.ts';
import { engineContainer, engineVolumes, serverEngine, workerEngineEnv } from './engine-container.ts';

export const POOL_LABEL = 'cineweave.io/workerpool';
export const WORKER_CONTAINER = 'worker';

/** Settings of the worker pods that come from the operator's configuration, not the pool. */
export interface WorkerTemplateConfig {
  image: string;
  imagePullPolicy: string;
  secretName: string;
  configMapName?: string;
  serviceAccountName?: string;
  metricsPort: number;
  shutdownGraceSeconds: number;
  modelDir: string;
  modelPvc?: string;
  gpuHourlyCostUsd: number;
  /**
   * Secret with the C2PA signing certificate chain (`tls.crt`) and key (`tls.key`), mounted into
   * every worker; without it a production worker refuses to start unless its settings say
   * CONTENT_CREDENTIALS=off.
   */
  contentCredentialsSecret?: string;
}

/** Where the worker finds the Content Credentials Secret's files. */
export const CONTENT_CREDENTIALS_MOUNT = '/etc/cineweave/content-credentials';

export interface PoolIdentity {
  name: string;
  namespace: string;
  uid: string;
}

/** The Deployment's name: deterministic, so a second create is a harmless 409. */
export function deploymentName(poolName: string): string {
  return `${poolName}-workers`.slice(0, 63).replace(/-+$/, '');
}

/**
 * The worker Deployment of a pool, as the operator server-side applies it: GPU limits and the
 * GPU taint toleration, the pool's scheduling overrides, readiness once the model is loaded, and
 * a termination grace long enough for the job in hand to finish. With an `openai-videos` engine the
 * pod has the server as a second container that holds the GPUs, and the worker holds none.
 */
export function workerDeployment(
  pool: PoolIdentity,
  spec: WorkerPoolSpec,
  replicas: number,
  config: WorkerTemplateConfig,
): KubeObject {
  const labels = {
    'app.kubernetes.io/name': 'cineweave-gpu-worker',
    'app.kubernetes.io/component': 'gpu-worker',
    'app.kubernetes.io/managed-by': 'cineweave-operator',
    [POOL_LABEL]: pool.name,
  };
  const gpuLimits: Record<string, string> =
    spec.gpu.count > 0 ? { [spec.gpu.resourceName]: String(spec.gpu.count) } : {};
  const tolerations = [
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ...(spec.tolerations ?? []),
  ];
  const engine = serverEngine(spec.engine);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(pool.name),
      namespace: pool.namespace,
      labels,
      ownerReferences: [
        {
          apiVersion: API_GROUP_VERSION,
          kind: WORKERPOOL.kind,
          name: pool.name,
          uid: pool.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      replicas,
      selector: { matchLabels: { [POOL_LABEL]: pool.name } },
      // A worker holds a GPU: never run more pods than asked for during a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: {
        metadata: {
          labels,
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(config.metricsPort),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          // Long enough for the job in hand: the worker stops taking jobs on SIGTERM and finishes it.
          terminationGracePeriodSeconds: config.shutdownGraceSeconds + 30,
          // Workers never call the Kubernetes API, and run as restricted as the GPU runtime allows,
          // so a namespace can enforce Pod Security `restricted`.
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(config.serviceAccountName ? { serviceAccountName: config.serviceAccountName } : {}),
          ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
          ...(spec.runtimeClassName ? { runtimeClassName: spec.runtimeClassName } : {}),
          ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
          tolerations,
          ...(engine ? { initContainers: [engineContainer(engine, gpuLimits)] } : {}),
          containers: [workerContainer(spec, config, engine, gpuLimits)],
          volumes: [
            ...(engine
              ? engineVolumes(engine)
              : [
                  config.modelPvc
                    ? {
                        name: 'models',
                        persistentVolumeClaim: { claimName: config.modelPvc, readOnly: true },
                      }
                    : { name: 'models', emptyDir: {} },
                ]),
            { name: 'tmp', emptyDir: { sizeLimit: '8Gi' } },
            ...(config.contentCredentialsSecret
              ? [
                  {
                    name: 'content-credentials',
                    // Owner and group (fsGroup) may read; the key is nobody else's business.
                    secret: { secretName: config.contentCredentialsSecret, defaultMode: 0o440 },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}

/**
 * The worker: the job runtime, and with the `onnx` engine the renderer too (then it holds the GPUs
 * and mounts the model directory). With a server engine it drives the server over loopback.
 */
function workerContainer(
  spec: WorkerPoolSpec,
  config: WorkerTemplateConfig,
  engine: ServerEngine | undefined,
  gpuLimits: Record<string, string>,
): Record<string, unknown> {
  const env = [
    { name: 'MODEL_ID', value: spec.model },
    ...(engine
      ? workerEngineEnv(engine)
      : [
          { name: 'ENGINE_KIND', value: 'onnx' },
          { name: 'MODEL_DIR', value: config.modelDir },
          { name: 'DEVICE', value: spec.gpu.count > 0 ? 'cuda' : 'cpu' },
        ]),
    { name: 'METRICS_PORT', value: String(config.metricsPort) },
    { name: 'GPU_HOURLY_COST_USD', value: String(config.gpuHourlyCostUsd) },
    { name: 'SHUTDOWN_GRACE_SECONDS', value: String(config.shutdownGraceSeconds) },
    ...(config.contentCredentialsSecret
      ? [
          { name: 'CONTENT_CREDENTIALS_CERT_FILE', value: `${CONTENT_CREDENTIALS_MOUNT}/tls.crt` },
          { name: 'CONTENT_CREDENTIALS_KEY_FILE', value: `${CONTENT_CREDENTIALS_MOUNT}/tls.key` },
        ]
      : []),
  ];
  return {
    name: WORKER_CONTAINER,
    image: spec.image ?? config.image,
    imagePullPolicy: config.imagePullPolicy,
    env,
    envFrom: [
      { secretRef: { name: config.secretName } },
      ...(config.configMapName ? [{ configMapRef: { name: config.configMapName } }] : []),
    ],
    ports: [{ name: 'metrics', containerPort: config.metricsPort, protocol: 'TCP' }],
    resources: {
      ...(spec.resources?.requests ? { requests: spec.resources.requests } : {}),
      limits: { ...(spec.resources?.limits ?? {}), ...(engine ? {} : gpuLimits) },
    },
    // Ready only while the engine is: the model loaded (onnx), or the server's health answering.
    readinessProbe: {
      httpGet: { path: '/readyz', port: 'metrics' },
      periodSeconds: 10,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'metrics' },
      // Loading the model takes minutes on first start; a server engine is healthy before the worker starts.
      initialDelaySeconds: engine ? 60 : 600,
      periodSeconds: 30,
      failureThreshold: 5,
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      ...(engine ? [] : [{ name: 'models', mountPath: config.modelDir }]),
      // Encoding writes the MP4 to a temporary file before upload (+faststart needs a seekable file).
      { name: 'tmp', mountPath: '/tmp' },
      ...(config.contentCredentialsSecret
        ? [{ name: 'content-credentials', mountPath: CONTENT_CREDENTIALS_MOUNT, readOnly: true }]
        : []),
    ],
  };
}
