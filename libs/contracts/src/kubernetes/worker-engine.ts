import { z } from 'zod';

/**
 * What renders a pool's videos. `onnx`: our Wan 2.2 graphs inside the worker (the default).
 * `openai-videos`: an OpenAI-shaped `/v1/videos` server (vLLM-Omni, SGLang diffusion) that runs as a
 * second container of the worker pod and owns its GPU; the worker drives it over localhost.
 */
export const WORKER_ENGINE_KINDS = ['onnx', 'openai-videos'] as const;
export type WorkerEngineKind = (typeof WORKER_ENGINE_KINDS)[number];

/**
 * Defaults of an `openai-videos` engine, applied by the operator when the pool leaves them out (not
 * in the CRD, so that an `onnx` pool does not show server settings it does not use). The port is
 * `vllm serve`'s own default, so a server started without `--port` is found.
 */
export const ENGINE_SERVER_DEFAULTS = {
  port: 8000,
  healthPath: '/health',
  /** Pulling tens of GB of weights and loading them onto the GPU takes minutes; compile adds more. */
  startupTimeoutSeconds: 1800,
  /** PyTorch worker processes exchange tensors (and decoded frames) through /dev/shm. */
  shmSize: '8Gi',
  /** An emptyDir cache of downloaded weights when no claim is named (the official TI2V-5B files alone are about 25 GiB). */
  modelCacheSize: '100Gi',
} as const;

/** Where the engine container keeps its Hugging Face cache (`HF_HOME` below it). */
export const ENGINE_MODEL_CACHE_PATH = '/cache';

export const ENGINE_IMAGE_REQUIRED_ERROR =
  'engine.image is required when engine.kind is openai-videos: the image of the video server that runs beside the worker, e.g. vllm/vllm-omni:v0.25.0';
export const ENGINE_ENV_VALUE_ERROR = 'an engine.env entry takes value or valueFrom, not both';

/** The fields that only a server engine uses, for the rule that refuses them on `onnx`. */
export const ENGINE_SERVER_FIELDS = [
  'image',
  'imagePullPolicy',
  'command',
  'args',
  'env',
  'resources',
  'port',
  'healthPath',
  'startupTimeoutSeconds',
  'shmSize',
  'modelCache',
  'securityContext',
] as const;
export const ENGINE_SERVER_FIELDS_ERROR = `engine.${ENGINE_SERVER_FIELDS.join(', ')} apply only to engine.kind openai-videos; the onnx engine runs inside the worker`;

const QuantitySchema = z
  .union([z.string().regex(/^[0-9.]+([eE][0-9]+|[a-zA-Z]{1,2})?$/), z.number()])
  .describe('A Kubernetes quantity, e.g. 8, 500m or 64Gi.');
const ResourceListSchema = z.record(z.string(), QuantitySchema);

/** Container requests and limits (the GPU limit is added from `gpu`). */
export const ContainerResourcesSchema = z.strictObject({
  requests: ResourceListSchema.optional().describe('Minimum resources, e.g. memory: 64Gi.'),
  limits: ResourceListSchema.optional().describe('Maximum resources; the GPU limit is set from gpu.'),
});

const KeyRefSchema = (what: string) =>
  z.strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
      .describe(`Name of the ${what} in the pool's namespace.`),
    key: z.string().min(1).describe(`Key in the ${what}.`),
    optional: z
      .boolean()
      .optional()
      .describe(`Start without the variable when the ${what} or key is missing.`),
  });

const EnvVarSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/)
      .describe('Variable name, e.g. HF_TOKEN.'),
    value: z.string().optional().describe('Literal value.'),
    valueFrom: z
      .union([
        z.strictObject({
          secretKeyRef: KeyRefSchema('Secret').describe('A key of a Secret, e.g. a hub token.'),
        }),
        z.strictObject({ configMapKeyRef: KeyRefSchema('ConfigMap').describe('A key of a ConfigMap.') }),
      ])
      .optional()
      .describe('Read the value from a Secret or a ConfigMap (exactly one).'),
  })
  .refine((entry) => entry.value === undefined || entry.valueFrom === undefined, {
    error: ENGINE_ENV_VALUE_ERROR,
  })
  .describe('An environment variable of the engine container.');

export const WorkerEngineSchema = z
  .strictObject({
    kind: z
      .enum(WORKER_ENGINE_KINDS)
      .default('onnx')
      .describe(
        'onnx (our Wan 2.2 graphs inside the worker) or openai-videos (an OpenAI-shaped /v1/videos server, e.g. vLLM-Omni, as a second container that owns the GPU).',
      ),
    image: z.string().min(1).optional().describe('Image of the video server, e.g. vllm/vllm-omni:v0.25.0.'),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .optional()
      .describe("Pull policy of the server image; Kubernetes' default when omitted."),
    command: z
      .array(z.string())
      .max(64)
      .optional()
      .describe("Entrypoint of the server container, e.g. [vllm, serve]; the image's when omitted."),
    args: z
      .array(z.string())
      .max(256)
      .optional()
      .describe('Arguments of the server, e.g. [Wan-AI/Wan2.2-TI2V-5B-Diffusers, --omni].'),
    port: z
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe(
        `Port the server listens on inside the pod; the worker calls http://127.0.0.1:<port> (default ${ENGINE_SERVER_DEFAULTS.port}, vllm serve's).`,
      ),
    healthPath: z
      .string()
      .regex(/^\/\S*$/)
      .max(1024)
      .optional()
      .describe(
        `Path that answers 200 while the server can serve: its startup, readiness and liveness probe, and the worker's readiness (default ${ENGINE_SERVER_DEFAULTS.healthPath}).`,
      ),
    startupTimeoutSeconds: z
      .int()
      .min(30)
      .max(86400)
      .optional()
      .describe(
        `How long the server may take to become healthy (download, load, compile) before Kubernetes restarts it (default ${ENGINE_SERVER_DEFAULTS.startupTimeoutSeconds}).`,
      ),
    env: z
      .array(EnvVarSchema)
      .max(128)
      .optional()
      .describe('Environment of the server container, e.g. HF_TOKEN from a Secret; names are unique.'),
    resources: ContainerResourcesSchema.optional().describe(
      'CPU and memory of the server container; the GPU limit comes from gpu (the worker container gets none).',
    ),
    shmSize: QuantitySchema.optional().describe(
      `Size of the memory-backed /dev/shm of the server, counted against its memory limit (default ${ENGINE_SERVER_DEFAULTS.shmSize}).`,
    ),
    modelCache: z
      .strictObject({
        claimName: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
          .max(253)
          .optional()
          .describe(
            'PersistentVolumeClaim kept between pods (ReadWriteMany to share it across nodes); without it an emptyDir that every new pod fills again.',
          ),
        sizeLimit: QuantitySchema.optional().describe(
          `Size limit of the emptyDir cache (default ${ENGINE_SERVER_DEFAULTS.modelCacheSize}); ignored with claimName.`,
        ),
      })
      .optional()
      .describe(
        `Where the server keeps downloaded weights: mounted at ${ENGINE_MODEL_CACHE_PATH}, with HF_HOME=${ENGINE_MODEL_CACHE_PATH}/huggingface.`,
      ),
    securityContext: z
      .strictObject({
        runAsUser: z
          .int()
          .min(0)
          .optional()
          .describe('User id of the server process (the pod runs as 1000).'),
        runAsGroup: z.int().min(0).optional().describe('Group id of the server process.'),
        runAsNonRoot: z
          .boolean()
          .optional()
          .describe('false lets an image that needs root run (the pod then fails Pod Security restricted).'),
        readOnlyRootFilesystem: z
          .boolean()
          .optional()
          .describe('false for an image that writes outside /tmp, /cache and /dev/shm (default true).'),
      })
      .optional()
      .describe(
        'Overrides of the server container security context; privilege escalation stays off and every capability dropped.',
      ),
  })
  .superRefine((engine, context) => {
    if (engine.kind === 'openai-videos') {
      if (engine.image === undefined) {
        context.addIssue({ code: 'custom', message: ENGINE_IMAGE_REQUIRED_ERROR, path: ['image'] });
      }
      const names = new Set<string>();
      for (const [index, entry] of (engine.env ?? []).entries()) {
        if (names.has(entry.name)) {
          context.addIssue({
            code: 'custom',
            message: `engine.env names must be unique: ${entry.name} is listed twice`,
            path: ['env', index, 'name'],
          });
        }
        names.add(entry.name);
      }
    } else if (ENGINE_SERVER_FIELDS.some((field) => engine[field] !== undefined)) {
      context.addIssue({ code: 'custom', message: ENGINE_SERVER_FIELDS_ERROR, path: ['kind'] });
    }
  });
export type WorkerEngine = z.output<typeof WorkerEngineSchema>;
