import { z } from 'zod';
import { JobStatusSchema } from './job-status.ts';

/** Server-sent events of `GET /v1/jobs/:id/events`, by event name. */
export const JOB_EVENT_TYPES = ['status', 'progress', 'completed', 'failed'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

export const JobStatusEventSchema = z.strictObject({
  jobId: z.uuid(),
  status: JobStatusSchema,
  queuePosition: z.int().min(0).nullable(),
  message: z.string().optional(),
});

export const JobProgressEventSchema = z.strictObject({
  jobId: z.uuid(),
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
