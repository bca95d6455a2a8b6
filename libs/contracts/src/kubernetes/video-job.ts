import { z } from 'zod';
import {
  DurationSecondsSchema,
  FpsSchema,
  GuidanceScaleSchema,
  JOB_DEFAULTS,
  ModelIdSchema,
  NegativePromptSchema,
  PromptSchema,
  ResolutionSchema,
  SeedSchema,
  StepsSchema,
  UuidSchema,
} from '../jobs/job-parameters.ts';
import type { JobStatus } from '../jobs/job-status.ts';
import { ConditionSchema } from './conditions.ts';

/** Input image of an image-to-video VideoJob: exactly one source. */
export const VideoJobImageSchema = z.union(
  [
    z.strictObject({ uploadId: UuidSchema }),
    z.strictObject({ url: z.url({ protocol: /^https?$/, error: 'image.url must be an http(s) URL' }) }),
    z.strictObject({ s3Key: z.string().min(1).max(1024) }),
  ],
  { error: 'image must have exactly one of uploadId, url or s3Key' },
);

export const VideoJobSpecSchema = z.strictObject({
  prompt: PromptSchema,
  negativePrompt: NegativePromptSchema.optional(),
  image: VideoJobImageSchema.optional(),
  resolution: ResolutionSchema.default(JOB_DEFAULTS.resolution),
  durationSeconds: DurationSecondsSchema.default(JOB_DEFAULTS.durationSeconds),
  fps: FpsSchema.default(JOB_DEFAULTS.fps),
  seed: SeedSchema.optional(),
  steps: StepsSchema.default(JOB_DEFAULTS.steps),
  guidanceScale: GuidanceScaleSchema.default(JOB_DEFAULTS.guidanceScale),
  model: ModelIdSchema.default(JOB_DEFAULTS.model),
  /** Higher runs sooner among an account's waiting jobs. */
  priority: z.int().min(0).max(100).default(50),
});
export type VideoJobSpec = z.output<typeof VideoJobSpecSchema>;

export const VIDEOJOB_PHASES = ['Pending', 'Queued', 'Running', 'Succeeded', 'Failed', 'Cancelled', 'Expired'] as const;
export const VideoJobPhaseSchema = z.enum(VIDEOJOB_PHASES);
export type VideoJobPhase = z.infer<typeof VideoJobPhaseSchema>;

const PHASE_BY_STATUS: Readonly<Record<JobStatus, VideoJobPhase>> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** The VideoJob phase that mirrors an API job status. */
export function phaseForStatus(status: JobStatus): VideoJobPhase {
  return PHASE_BY_STATUS[status];
}

export const VideoJobOutputSchema = z.strictObject({
  objectKey: z.string(),
  thumbnailKey: z.string(),
  url: z.string().optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const VideoJobStatusSchema = z.strictObject({
  phase: VideoJobPhaseSchema.optional(),
  progress: z.int().min(0).max(100).optional(),
  queuePosition: z.int().min(0).optional(),
  jobId: UuidSchema.optional(),
  output: VideoJobOutputSchema.optional(),
  creditsReserved: z.int().min(0).optional(),
  creditsCharged: z.int().min(0).optional(),
  gpuSeconds: z.number().min(0).optional(),
  startTime: z.iso.datetime({ offset: true }).optional(),
  completionTime: z.iso.datetime({ offset: true }).optional(),
  message: z.string().optional(),
  observedGeneration: z.int().min(0).optional(),
  conditions: z.array(ConditionSchema).optional(),
});
export type VideoJobStatus = z.infer<typeof VideoJobStatusSchema>;
