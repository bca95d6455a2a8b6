import { z } from 'zod';
import { type JobStatus, JobStatusSchema } from './job-status.ts';
import { QueueReasonSchema, type QueueStanding } from './queue-reason.ts';

/** Server-sent events of `GET /v1/jobs/:id/events`, by event name. */
export const JOB_EVENT_TYPES = ['status', 'progress', 'completed', 'failed'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

export const JobStatusEventSchema = z.strictObject({
  jobId: z.uuid(),
  status: JobStatusSchema,
  queuePosition: z.int().min(0).nullable(),
  /** Why a queued job waits; `message` then says it in words. Absent from older API replicas. */
  queueReason: QueueReasonSchema.nullable().optional(),
  /** The queued job's estimated seconds until done (see QueueStandingSchema); absent from older API replicas. */
  queueEtaSeconds: z.int().min(0).nullable().optional(),
  /** Of the jobs ahead, the job's own team's (see QueueStandingSchema); absent from older API replicas. */
  queueTeamJobsAhead: z.int().min(0).optional(),
  /** Other teams with a job ahead (a count, never who); absent from older API replicas. */
  queueTeamsAhead: z.int().min(0).optional(),
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

/** A job event as it travels (Redis pub/sub between replicas) and is sent (SSE `event:` and `data:`). */
export const JobEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('status'), data: JobStatusEventSchema }),
  z.strictObject({ type: z.literal('progress'), data: JobProgressEventSchema }),
  z.strictObject({ type: z.literal('completed'), data: JobCompletedEventSchema }),
  z.strictObject({ type: z.literal('failed'), data: JobFailedEventSchema }),
]);
export type JobEvent = z.infer<typeof JobEventSchema>;

/** Events after which a job says nothing more. */
export function isFinalJobEvent(
  event: JobEvent,
): event is Extract<JobEvent, { type: 'completed' | 'failed' }> {
  return event.type === 'completed' || event.type === 'failed';
}

/** What the events say about a job, by the job view's names. */
export interface JobEventSubject {
  id: string;
  status: JobStatus;
  creditsReserved: number;
  creditsCharged: number | null;
  failureReason: string | null;
}

/** A job's status; while it is queued, with where it stands in line and why it waits. */
export function jobStatusEvent(
  jobId: string,
  status: JobStatus,
  standing: QueueStanding | null = null,
): JobEvent {
  if (!standing) return { type: 'status', data: { jobId, status, queuePosition: null } };
  return {
    type: 'status',
    data: {
      jobId,
      status,
      queuePosition: standing.position,
      queueReason: standing.reason,
      queueEtaSeconds: standing.etaSeconds,
      ...(standing.teamJobsAhead !== undefined && { queueTeamJobsAhead: standing.teamJobsAhead }),
      ...(standing.teamsAhead !== undefined && { queueTeamsAhead: standing.teamsAhead }),
      message: standing.message,
    },
  };
}

/**
 * A worker's progress report (`JobProgress` on the work queue, spelled out here so the queue
 * contract, which builds on these events' stages, is not imported back), as subscribers see it.
 */
export function jobProgressEvent(
  jobId: string,
  progress: { stage?: JobStage; step: number; totalSteps: number; percent: number; etaSeconds?: number },
): JobEvent {
  return {
    type: 'progress',
    data: {
      jobId,
      ...(progress.stage ? { stage: progress.stage } : {}),
      step: progress.step,
      totalSteps: progress.totalSteps,
      percent: progress.percent,
      etaSeconds: progress.etaSeconds ?? null,
      queuePosition: null,
    },
  };
}

/**
 * How a finished job ended: `completed` with what it cost and where its outputs are, or `failed`
 * (also for cancelled and expired) with why and what was released. Settlement announces an ending
 * with it and the stream replays it to a late subscriber, so both say the same.
 */
export function jobEndEvent(job: JobEventSubject): JobEvent {
  if (job.status === 'succeeded') {
    return {
      type: 'completed',
      data: {
        jobId: job.id,
        status: 'succeeded',
        creditsCharged: job.creditsCharged ?? 0,
        videoUrl: `/v1/jobs/${job.id}/video`,
        thumbnailUrl: `/v1/jobs/${job.id}/thumbnail`,
      },
    };
  }
  if (job.status === 'failed' || job.status === 'cancelled' || job.status === 'expired') {
    return {
      type: 'failed',
      data: {
        jobId: job.id,
        status: job.status,
        reason:
          job.failureReason ??
          (job.status === 'expired' ? 'The outputs expired.' : 'The job did not complete.'),
        // An expired job was captured, not released: its outputs aged out after delivery.
        creditsReleased: job.status === 'expired' ? 0 : job.creditsReserved,
      },
    };
  }
  throw new Error(`Job ${job.id} is ${job.status}: it has not ended`);
}
