import { z } from 'zod';
import { ContentCredentialsSummarySchema } from '../jobs/content-credentials.ts';
import { JobStageSchema } from '../jobs/job-events.ts';
import {
  DurationSecondsSchema,
  FpsSchema,
  GuidanceScaleSchema,
  ModelIdSchema,
  NegativePromptSchema,
  PromptSchema,
  RenderPresetSchema,
  ResolutionSchema,
  SeedSchema,
  StepsSchema,
  UuidSchema,
} from '../jobs/job-parameters.ts';

/**
 * BullMQ queue names. Work goes to GPU workers on one queue per model (see `workQueueName`);
 * results come back on one shared queue. `videoJobs` is the single work queue of releases before
 * per-model queues: only the API's upgrade step reads it, to move what still waits there.
 */
export const QUEUE_NAMES = {
  videoJobs: 'video-jobs',
  videoResults: 'video-results',
} as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * The work queue of one model, e.g. `video-jobs.wan2.2-ti2v-5b`: a worker takes only its model's
 * jobs, so pools serving different models never take each other's. Model ids are lower-case
 * letters, digits, dots and dashes, all valid in a BullMQ queue name (which forbids `:`).
 */
export function workQueueName(model: string): string {
  return `${QUEUE_NAMES.videoJobs}.${ModelIdSchema.parse(model)}`;
}

/** The model a work queue serves, or null for a name that is not a per-model work queue. */
export function modelOfWorkQueue(queueName: string): string | null {
  const prefix = `${QUEUE_NAMES.videoJobs}.`;
  if (!queueName.startsWith(prefix)) return null;
  const model = ModelIdSchema.safeParse(queueName.slice(prefix.length));
  return model.success ? model.data : null;
}

/** BullMQ job names within those queues. */
export const JOB_NAMES = {
  generate: 'generate',
  result: 'result',
} as const;
export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/**
 * The job names each queue carries (`videoJobs` stands for every per-model work queue): its
 * consumer must handle exactly these, which `jobHandlers` checks at start-up.
 */
export const QUEUE_JOB_NAMES = {
  [QUEUE_NAMES.videoJobs]: [JOB_NAMES.generate],
  [QUEUE_NAMES.videoResults]: [JOB_NAMES.result],
} as const satisfies Partial<Record<QueueName, readonly JobName[]>>;

/**
 * The BullMQ id of the result of one attempt: a re-send of the same attempt's result collapses
 * into the first, and the API's reconciler finds the result of a finished work entry by it.
 */
export function resultJobId(jobId: string, attemptToken: string): string {
  return `${jobId}.${attemptToken}`;
}

/**
 * What a GPU worker needs to render one job. Everything is resolved by the API at admission
 * (defaults applied, seed chosen), so a job replays exactly from this payload.
 */
export const VideoJobPayloadSchema = z.strictObject({
  jobId: UuidSchema,
  accountId: UuidSchema,
  /** Changes on every attempt; results carrying an older token are ignored at settlement. */
  attemptToken: UuidSchema,
  prompt: PromptSchema,
  negativePrompt: NegativePromptSchema.optional(),
  /** S3 key of the re-encoded input image for image-to-video. */
  imageKey: z.string().min(1).optional(),
  resolution: ResolutionSchema,
  durationSeconds: DurationSecondsSchema,
  fps: FpsSchema,
  seed: SeedSchema,
  steps: StepsSchema,
  guidanceScale: GuidanceScaleSchema,
  model: ModelIdSchema,
  /** Absent on jobs queued before presets existed: quality. */
  preset: RenderPresetSchema.optional(),
});
export type VideoJobPayload = z.infer<typeof VideoJobPayloadSchema>;

/**
 * Progress a worker reports (`job.updateProgress`) through every stage of a job: each denoising
 * step, then decode, encode, sign and upload, so percent and ETA keep moving after the last step.
 * `step` keeps counting denoising steps (it stays at `totalSteps` in the later stages).
 */
export const JobProgressSchema = z.strictObject({
  /** Absent only from a worker older than stage-aware progress. */
  stage: JobStageSchema.optional(),
  step: z.int().min(0),
  totalSteps: z.int().min(1),
  percent: z.number().min(0).max(100),
  etaSeconds: z.number().min(0).optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

const ResultBase = {
  jobId: UuidSchema,
  attemptToken: UuidSchema,
  gpuSeconds: z.number().min(0),
  workerId: z.string().min(1).optional(),
};

export const JobSucceededResultSchema = z.strictObject({
  ...ResultBase,
  outcome: z.literal('succeeded'),
  videoKey: z.string().min(1),
  thumbnailKey: z.string().min(1),
  durationSeconds: z.number().positive(),
  frames: z.int().positive(),
  modelHash: z.string().min(1),
  /** The video's C2PA manifest as read back after signing; absent when signing is off. */
  contentCredentials: ContentCredentialsSummarySchema.optional(),
});

export const JobFailedResultSchema = z.strictObject({
  ...ResultBase,
  outcome: z.literal('failed'),
  /** A sentence a person can act on; shown in the portal and the VideoJob status. */
  reason: z.string().min(1).max(2000),
  /** Set when the output check refused the video (reason starts `content-policy:`); recorded as a moderation decision. */
  contentPolicy: z
    .strictObject({
      outcome: z.enum(['refused', 'refused-on-error']),
      categories: z.array(z.string().min(1).max(100)).max(50),
    })
    .optional(),
});

export const JobCancelledResultSchema = z.strictObject({
  ...ResultBase,
  outcome: z.literal('cancelled'),
});

/** What a worker puts on the results queue when an attempt ends. */
export const JobResultSchema = z.discriminatedUnion('outcome', [
  JobSucceededResultSchema,
  JobFailedResultSchema,
  JobCancelledResultSchema,
]);
export type JobResult = z.infer<typeof JobResultSchema>;
export type JobOutcome = JobResult['outcome'];

/** Key of the Redis flag the API sets to ask the worker running a job to stop. */
export function cancelSignalKey(jobId: string): string {
  return `cineweave:cancel:${jobId}`;
}

/** Where a job's outputs live in the bucket. */
export function outputKeys(accountId: string, jobId: string): { video: string; thumbnail: string } {
  const prefix = `outputs/${accountId}/${jobId}`;
  return { video: `${prefix}/video.mp4`, thumbnail: `${prefix}/thumbnail.webp` };
}

/**
 * The API's periodic maintenance: one BullMQ job scheduler per task on this queue, so each tick
 * is one job that exactly one API replica takes, however many replicas there are.
 */
export const MAINTENANCE_QUEUE = 'maintenance';

/** The maintenance tasks: each is its job scheduler's id and its jobs' name. */
export const MAINTENANCE_JOB_NAMES = {
  /** Re-enqueues lost jobs and fails timed-out ones (RECONCILE_INTERVAL_SECONDS). */
  reconcileJobs: 'reconcile-jobs',
  /** Deletes outputs past RETENTION_HOURS (RETENTION_SWEEP_SECONDS). */
  expireOutputs: 'expire-outputs',
  /** Deletes uploaded images past RETENTION_HOURS that no job needs (RETENTION_SWEEP_SECONDS). */
  expireUploads: 'expire-uploads',
  /** Deletes webhook deliveries finished more than RETENTION_HOURS ago (RETENTION_SWEEP_SECONDS). */
  expireWebhookDeliveries: 'expire-webhook-deliveries',
  /** Lapses ended paid months and grants each plan's monthly credits (hourly). */
  monthlyGrants: 'monthly-grants',
  /** Writes each account's usage CSV for the month before (03:00 UTC on the 1st). */
  exportUsage: 'export-usage',
} as const;
export type MaintenanceJobName = (typeof MAINTENANCE_JOB_NAMES)[keyof typeof MAINTENANCE_JOB_NAMES];
