import { z } from 'zod';
import { QueueStandingSchema } from '../jobs/queue-reason.ts';
import { ContentCredentialsSummarySchema } from '../jobs/content-credentials.ts';
import { JobStageSchema } from '../jobs/job-events.ts';
import { JobStatusSchema } from '../jobs/job-status.ts';
import { RenderPresetSchema, ResolutionSchema } from '../jobs/job-parameters.ts';
import { VideoJobSpecSchema } from '../kubernetes/video-job.ts';

/** A job as `GET /v1/jobs/:id` (and the internal route) return it. */
export const JobViewSchema = z.object({
  id: z.uuid(),
  status: JobStatusSchema,
  prompt: z.string(),
  negativePrompt: z.string().nullable(),
  imageUploadId: z.uuid().nullable(),
  imageSha256: z.string().nullable(),
  resolution: ResolutionSchema,
  durationSeconds: z.int(),
  fps: z.int(),
  seed: z.int(),
  steps: z.int(),
  guidanceScale: z.number(),
  model: z.string(),
  /** Null on jobs admitted before presets existed (they ran quality). */
  preset: RenderPresetSchema.nullable(),
  priority: z.int(),
  creditsReserved: z.int(),
  creditsCharged: z.int().nullable(),
  progress: z.number().min(0).max(100),
  /** The stage a running job last reported (see JOB_STAGES); null while queued and once finished. */
  stage: JobStageSchema.nullable(),
  failureReason: z.string().nullable(),
  gpuSeconds: z.number().nullable(),
  /** Route of the video (302 to a presigned URL) once succeeded; null otherwise. */
  videoUrl: z.string().nullable(),
  thumbnailUrl: z.string().nullable(),
  videoKey: z.string().nullable(),
  thumbnailKey: z.string().nullable(),
  outputExpiresAt: z.iso.datetime({ offset: true }).nullable(),
  /** The video's C2PA Content Credentials; null before success or when the worker did not sign. */
  contentCredentials: ContentCredentialsSummarySchema.nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  startedAt: z.iso.datetime({ offset: true }).nullable(),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
  /** Said on admission when the job waits: no ready worker serves its model yet. */
  notice: z.string().optional(),
  /** A queued job read on its own (`GET /v1/jobs/:id`, the internal view): where it stands and why. */
  queue: QueueStandingSchema.optional(),
});
export type JobView = z.infer<typeof JobViewSchema>;

/** A Kubernetes namespace name (RFC 1123 label), as the operator reads it from the VideoJob. */
const NamespaceNameSchema = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name (RFC 1123 label)');

/**
 * Body of `POST /internal/v1/jobs`, the operator's submission of a VideoJob; `uid` is the CR's
 * uid and doubles as the idempotency key. The team charged is named by one of:
 * - `teamId` (the namespace's `cineweave.io/team` annotation) with `namespace`: the job is
 *   recorded under the namespace's service identity `kubernetes:<namespace>`;
 * - `userId` (the deprecated `cineweave.io/account` annotation): that person's personal team,
 *   the job recorded under them as before teams.
 */
export const InternalCreateJobRequestSchema = z
  .strictObject({
    uid: z.string().min(1).max(128),
    teamId: z.uuid('teamId must be a team id (a UUID)').optional(),
    userId: z.string().min(1).max(128).optional(),
    namespace: NamespaceNameSchema.optional(),
    spec: VideoJobSpecSchema,
  })
  .superRefine((body, context) => {
    if ((body.teamId === undefined) === (body.userId === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['teamId'],
        message: 'give exactly one of teamId (cineweave.io/team) and userId (cineweave.io/account)',
      });
    }
    if (body.teamId !== undefined && body.namespace === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: "is required with teamId: the job is recorded under the namespace's identity",
      });
    }
  });
export type InternalCreateJobRequest = z.input<typeof InternalCreateJobRequestSchema>;

/** `GET /internal/v1/queues/stats`: backlog per model for the autoscaler. */
export const QueueStatsSchema = z.object({
  models: z.array(z.object({ model: z.string(), waiting: z.int().min(0), active: z.int().min(0) })),
});
export type QueueStats = z.infer<typeof QueueStatsSchema>;

/** A page of a cursor-paginated list; `nextCursor` is null on the last page (`pageOf`). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** An unpaginated list (`listOf`). */
export interface List<T> {
  items: T[];
}
