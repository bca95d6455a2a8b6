import { z } from 'zod';
import { DEFAULT_MODEL_ID, ModelIdSchema } from '../jobs/job-parameters.ts';
import { ConditionSchema } from './conditions.ts';
import { ContainerResourcesSchema, WorkerEngineSchema } from './worker-engine.ts';

const TolerationSchema = z
  .strictObject({
    key: z.string().optional().describe('Taint key the toleration matches; empty matches every key.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (default Equal).'),
    value: z.string().optional().describe('Taint value to match when operator is Equal.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match; empty matches every effect.'),
    tolerationSeconds: z
      .int()
      .optional()
      .describe('How long a NoExecute taint is tolerated before eviction, in seconds.'),
  })
  .describe('A Kubernetes toleration for the worker pods.');

export const MIN_ABOVE_MAX_ERROR = 'minReplicas must not exceed maxReplicas';

export const WorkerPoolSpecSchema = z
  .strictObject({
    model: ModelIdSchema.default(DEFAULT_MODEL_ID).describe(
      'Model the pool serves; it takes the jobs of this model.',
    ),
    minReplicas: z
      .int()
      .min(0)
      .default(0)
      .describe('Fewest workers, even with no backlog (0 scales to zero).'),
    maxReplicas: z.int().min(0).max(1000).default(1).describe('Most workers, however long the backlog.'),
    jobsPerReplica: z
      .int()
      .min(1)
      .default(1)
      .describe('Backlog (waiting + active jobs) one worker is expected to handle.'),
    scaleDownDelaySeconds: z
      .int()
      .min(0)
      .max(86400)
      .default(300)
      .describe('How long demand must stay lower before workers are removed, in seconds.'),
    gpu: z
      .strictObject({
        resourceName: z
          .string()
          .min(1)
          .default('nvidia.com/gpu')
          .describe('Extended resource name of the GPU, e.g. nvidia.com/gpu.'),
        count: z.int().min(0).max(16).default(1).describe('GPUs per worker pod.'),
      })
      .default({ resourceName: 'nvidia.com/gpu', count: 1 })
      .describe('GPUs each worker pod requests.'),
    image: z.string().min(1).optional().describe('Worker container image; the chart default when omitted.'),
    resources: ContainerResourcesSchema.optional().describe('CPU and memory of the worker container.'),
    nodeSelector: z
      .record(z.string(), z.string())
      .optional()
      .describe('Node labels the worker pods must match, e.g. the GPU product.'),
    tolerations: z
      .array(TolerationSchema)
      .optional()
      .describe('Extra tolerations; the GPU taint nvidia.com/gpu:NoSchedule is always tolerated.'),
    runtimeClassName: z.string().min(1).optional().describe('RuntimeClass of the worker pods, e.g. nvidia.'),
    priorityClassName: z.string().min(1).optional().describe('PriorityClass of the worker pods.'),
    engine: WorkerEngineSchema.optional().describe(
      'What renders the videos: the onnx engine inside the worker (when omitted), or an openai-videos server beside it.',
    ),
  })
  .refine((spec) => spec.minReplicas <= spec.maxReplicas, {
    error: MIN_ABOVE_MAX_ERROR,
    path: ['minReplicas'],
  });
export type WorkerPoolSpec = z.output<typeof WorkerPoolSpecSchema>;

export const WorkerPoolStatusSchema = z.strictObject({
  replicas: z.int().min(0).optional().describe('Worker pods that exist.'),
  readyReplicas: z.int().min(0).optional().describe('Worker pods that loaded the model and take jobs.'),
  desiredReplicas: z
    .int()
    .min(0)
    .optional()
    .describe('Worker pods the backlog calls for, within min and max.'),
  backlog: z.int().min(0).optional().describe("Waiting + active jobs of the pool's model."),
  observedGeneration: z.int().min(0).optional().describe('metadata.generation the operator last reconciled.'),
  lastScaleTime: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('When the pool last changed its replicas.'),
  conditions: z
    .array(ConditionSchema)
    .optional()
    .describe(
      'Available, ScalingLimited, ScaleDownPending and, with an openai-videos engine, EngineReady, in metav1.Condition shape.',
    ),
});
export type WorkerPoolStatus = z.infer<typeof WorkerPoolStatusSchema>;

/**
 * Replicas a pool wants for its backlog (waiting + active jobs of its model):
 * clamp(ceil(backlog / jobsPerReplica), min, max).
 */
export function desiredReplicas(
  backlog: number,
  spec: Pick<WorkerPoolSpec, 'minReplicas' | 'maxReplicas' | 'jobsPerReplica'>,
): number {
  const wanted = Math.ceil(Math.max(0, backlog) / spec.jobsPerReplica);
  return Math.min(spec.maxReplicas, Math.max(spec.minReplicas, wanted));
}
