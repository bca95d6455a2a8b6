import type {
  ContentCredentialsSummary,
  JobStage,
  JobStatus,
  RenderPreset,
  JobView,
  Resolution,
  VideoJobPayload,
} from '@cineweave/contracts';

/** A job as the API works with it; only JobsRepository and JobTransitions see its row. */
export interface Job {
  id: string;
  accountId: string;
  userId: string;
  status: JobStatus;
  source: 'api' | 'internal';
  externalRef: string | null;
  prompt: string;
  negativePrompt: string | null;
  imageUploadId: string | null;
  imageKey: string | null;
  imageSha256: string | null;
  resolution: Resolution;
  durationSeconds: number;
  fps: number;
  seed: number;
  steps: number;
  guidanceScale: number;
  model: string;
  /** Null for jobs admitted before presets existed (quality). */
  preset: RenderPreset | null;
  priority: number;
  creditsReserved: number;
  creditsCharged: number | null;
  attemptToken: string;
  attempts: number;
  progressPercent: number;
  /** The stage of the last progress report; meaningful while running. */
  progressStage: JobStage | null;
  failureReason: string | null;
  videoKey: string | null;
  thumbnailKey: string | null;
  gpuSeconds: number | null;
  /** Written once from the worker's succeeded result. */
  contentCredentials: ContentCredentialsSummary | null;
  cancelRequestedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

/** A `jobs` row as pg returns it: for JobsRepository and JobTransitions only. */
export interface JobRow {
  id: string;
  account_id: string;
  user_id: string;
  status: JobStatus;
  source: 'api' | 'internal';
  external_ref: string | null;
  prompt: string;
  negative_prompt: string | null;
  image_upload_id: string | null;
  image_key: string | null;
  image_sha256: string | null;
  resolution: Resolution;
  duration_seconds: number;
  fps: number;
  seed: string;
  steps: number;
  guidance_scale: number;
  model: string;
  /** Null for jobs admitted before presets existed (quality). */
  preset: RenderPreset | null;
  priority: number;
  credits_reserved: number;
  credits_charged: number | null;
  attempt_token: string;
  attempts: number;
  progress_percent: number;
  /** The stage of the last progress report; meaningful while running. */
  progress_stage: JobStage | null;
  failure_reason: string | null;
  video_key: string | null;
  thumbnail_key: string | null;
  gpu_seconds: number | null;
  /** jsonb, written once from the worker's succeeded result. */
  content_credentials: ContentCredentialsSummary | null;
  cancel_requested_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/**
 * The columns of JobRow, spelled out for prepared statements: a prepared `RETURNING *` would fail
 * ("cached plan must not change result type") on every pooled connection once a migration adds
 * a column under a running replica.
 */
export const JOB_ROW_COLUMNS = `id, account_id, user_id, status, source, external_ref, prompt, negative_prompt, image_upload_id,
  image_key, image_sha256, resolution, duration_seconds, fps, seed, steps, guidance_scale, model, preset, priority,
  credits_reserved, credits_charged, attempt_token, attempts, progress_percent, progress_stage, failure_reason, video_key,
  thumbnail_key, gpu_seconds, content_credentials, cancel_requested_at, started_at, finished_at, created_at`;

/** The domain object of a row; `seed` is a bigint column that pg answers as a string. */
export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    status: row.status,
    source: row.source,
    externalRef: row.external_ref,
    prompt: row.prompt,
    negativePrompt: row.negative_prompt,
    imageUploadId: row.image_upload_id,
    imageKey: row.image_key,
    imageSha256: row.image_sha256,
    resolution: row.resolution,
    durationSeconds: row.duration_seconds,
    fps: row.fps,
    seed: Number(row.seed),
    steps: row.steps,
    guidanceScale: row.guidance_scale,
    model: row.model,
    preset: row.preset,
    priority: row.priority,
    creditsReserved: row.credits_reserved,
    creditsCharged: row.credits_charged,
    attemptToken: row.attempt_token,
    attempts: row.attempts,
    progressPercent: row.progress_percent,
    progressStage: row.progress_stage,
    failureReason: row.failure_reason,
    videoKey: row.video_key,
    thumbnailKey: row.thumbnail_key,
    gpuSeconds: row.gpu_seconds,
    contentCredentials: row.content_credentials,
    cancelRequestedAt: row.cancel_requested_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    createdAt: row.created_at,
  };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toJobView(job: Job, retentionHours: number): JobView {
  const succeeded = job.status === 'succeeded';
  return {
    id: job.id,
    status: job.status,
    prompt: job.prompt,
    negativePrompt: job.negativePrompt,
    imageUploadId: job.imageUploadId,
    imageSha256: job.imageSha256,
    ...renderSettings(job),
    preset: job.preset,
    priority: job.priority,
    creditsReserved: job.creditsReserved,
    creditsCharged: job.creditsCharged,
    progress: succeeded ? 100 : job.progressPercent,
    stage: job.status === 'running' ? (job.progressStage ?? null) : null,
    failureReason: job.failureReason,
    gpuSeconds: job.gpuSeconds,
    videoUrl: succeeded ? `/v1/jobs/${job.id}/video` : null,
    thumbnailUrl: succeeded ? `/v1/jobs/${job.id}/thumbnail` : null,
    videoKey: job.videoKey,
    thumbnailKey: job.thumbnailKey,
    outputExpiresAt:
      succeeded && job.finishedAt
        ? new Date(job.finishedAt.getTime() + retentionHours * 3_600_000).toISOString()
        : null,
    contentCredentials: job.contentCredentials,
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

/** How the video is rendered: the settings a job's view, its payload and its admission share. */
export type RenderSettings = Pick<
  Job,
  'resolution' | 'durationSeconds' | 'fps' | 'seed' | 'steps' | 'guidanceScale' | 'model'
>;

/** What the worker is sent of a job (at admission, or again on a requeue). */
export type PayloadSource = RenderSettings &
  Pick<Job, 'id' | 'accountId' | 'attemptToken' | 'prompt' | 'negativePrompt' | 'imageKey' | 'preset'>;

function renderSettings(job: RenderSettings): RenderSettings {
  return {
    resolution: job.resolution,
    durationSeconds: job.durationSeconds,
    fps: job.fps,
    seed: job.seed,
    steps: job.steps,
    guidanceScale: job.guidanceScale,
    model: job.model,
  };
}

/** What the worker receives: everything resolved, so the job replays exactly. */
export function toPayload(job: PayloadSource): VideoJobPayload {
  return {
    jobId: job.id,
    accountId: job.accountId,
    attemptToken: job.attemptToken,
    prompt: job.prompt,
    ...(job.negativePrompt ? { negativePrompt: job.negativePrompt } : {}),
    ...(job.imageKey ? { imageKey: job.imageKey } : {}),
    ...renderSettings(job),
    ...(job.preset ? { preset: job.preset } : {}),
  };
}
