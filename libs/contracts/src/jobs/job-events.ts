import { z } from 'zod';
import { JobStatusSchema } from './job-status.ts';
import { QueueReasonSchema } from './queue-reason.ts';

/** Server-sent events of `GET /v1/jobs/:id/events`, by event name. */
export const JOB_EVENT_TYPES = ['status', 'progress', 'completed', 'failed'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

export const JobStatusEventSchema = z.strictObject({
  jobId: z.uuid(),
  status: JobStatusSchema,
  queuePosition: z.int().min(0).nullable(),
  /** Why a queued job waits; `message` then says it in words. Absent from older API replicas. */
  queueReason: QueueReasonSchema.nullable().optional(),
  message: z.string().optional(),
});

/**
 * Where a running job is. `denoise` counts sampling steps and `decode` decoded frames (engine
 * `onnx`); `generate` is an engine server's own progress and `download` fetching its MP4 (engine
 * `openai-videos`); then the worker's `encode` (MP4 and thumbnail), `sign` (Content Credentials)
 * and `upload` (to the bucket).
 */
export const JOB_STAGES = ['denoise', 'decode', 'generate', 'download', 'encode', 'sign', 'upload'] as const;
export const JobStageSchema = z.enum(JOB_STAGES);
export type JobStage = z.infer<typeof JobStageSchema>;

/** What the portal and the CLI say for each stage (one wording for both). */
export const JOB_STAGE_LABELS: Record<JobStage, string> = {
  denoise: 'Denoising',
  decode: 'Decoding',
  generate: 'Generating',
  download: 'Downloading',
  encode: 'Encoding',
  sign: 'Signing',
  upload: 'Uploading',
};

export const JobProgressEventSchema = z.strictObject({
  jobId: z.uuid(),
  /** Absent only from a worker older than stage-aware progress. */
  stage: JobStageSchema.optional(),
  step: z.int().min(0),
  totalSteps: z.int().min(1),
  percent: z.number().min(0).max(100),
  etaSeconds: z.number().min(0).nullable(),
  queuePosition: z.int().min(0).nullable(),
});

export const JobCompletedEventSchema = z.strictObject({
  jobId: z.uuid(),
  status: z.literal('succeeded'),
  creditsCharged: z.int().min(0),
  videoUrl: z.string(),
  thumbnailUrl: z.string(),
});

export const JobFailedEventSchema = z.strictObject({
  jobId: z.uuid(),
  status: z.enum(['failed', 'cancelled', 'expired']),
  reason: z.string(),
  creditsReleased: z.int().min(0),
});

export type JobStatusEvent = z.infer<typeof JobStatusEventSchema>;
export type JobProgressEvent = z.infer<typeof JobProgressEventSchema>;
export type JobCompletedEvent = z.infer<typeof JobCompletedEventSchema>;
export type JobFailedEvent = z.infer<typeof JobFailedEventSchema>;
