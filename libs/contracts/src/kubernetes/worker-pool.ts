import { z } from 'zod';
import { DEFAULT_MODEL_ID, ModelIdSchema } from '../jobs/job-parameters.ts';
import { ConditionSchema } from './conditions.ts';

const TolerationSchema = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().optional(),
});

const QuantitySchema = z.union([z.string().regex(/^[0-9.]+([eE][0-9]+|[a-zA-Z]{1,2})?$/), z.number()]);
const ResourceListSchema = z.record(z.string(), QuantitySchema);

export const WorkerPoolSpecSchema = z
  .strictObject({
    model: ModelIdSchema.default(DEFAULT_MODEL_ID),
    minReplicas: z.int().min(0).default(0),
    maxReplicas: z.int().min(0).max(1000).default(1),
    jobsPerReplica: z.int().min(1).default(1),
    scaleDownDelaySeconds: z.int().min(0).max(86400).default(300),
    gpu: z
      .strictObject({
        resourceName: z.string().min(1).default('nvidia.com/gpu'),
        count: z.int().min(0).max(16).default(1),
      })
      .default({ resourceName: 'nvidia.com/gpu', count: 1 }),
    image: z.string().min(1).optional(),
    resources: z
      .strictObject({ requests: ResourceListSchema.optional(), limits: ResourceListSchema.optional() })
      .optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(TolerationSchema).optional(),
    runtimeClassName: z.string().min(1).optional(),
    priorityClassName: z.string().min(1).optional(),
  })
  .refine((spec) => spec.minReplicas <= spec.maxReplicas, {
    error: 'minReplicas must not exceed maxReplicas',
    path: ['minReplicas'],
  });
export type WorkerPoolSpec = z.output<typeof WorkerPoolSpecSchema>;

export const WorkerPoolStatusSchema = z.strictObject({
  replicas: z.int().min(0).optional(),
  readyReplicas: z.int().min(0).optional(),
  desiredReplicas: z.int().min(0).optional(),
  backlog: z.int().min(0).optional(),
  observedGeneration: z.int().min(0).optional(),
  lastScaleTime: z.iso.datetime({ offset: true }).optional(),
  conditions: z.array(ConditionSchema).optional(),
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
