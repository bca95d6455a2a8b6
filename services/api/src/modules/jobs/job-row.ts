import type {
  ContentCredentialsSummary,
  JobStage,
  JobStatus,
  RenderPreset,
  JobView,
  Resolution,
  VideoJobPayload,
} from '@cineweave/contracts';

/** A `jobs` row as pg returns it. */
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

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toJobView(row: JobRow, retentionHours: number): JobView {
  const succeeded = row.status === 'succeeded';
  return {
    id: row.id,
    status: row.status,
    prompt: row.prompt,
    negativePrompt: row.negative_prompt,
    imageUploadId: row.image_upload_id,
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
    progress: succeeded ? 100 : row.progress_percent,
    stage: row.status === 'running' ? (row.progress_stage ?? null) : null,
    failureReason: row.failure_reason,
    gpuSeconds: row.gpu_seconds,
    videoUrl: succeeded ? `/v1/jobs/${row.id}/video` : null,
    thumbnailUrl: succeeded ? `/v1/jobs/${row.id}/thumbnail` : null,
    videoKey: row.video_key,
    thumbnailKey: row.thumbnail_key,
    outputExpiresAt:
      succeeded && row.finished_at
        ? new Date(row.finished_at.getTime() + retentionHours * 3_600_000).toISOString()
        : null,
    contentCredentials: row.content_credentials,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
  };
}

/** What the worker receives: everything resolved, so the job replays exactly. */
export function toPayload(row: JobRow): VideoJobPayload {
  return {
    jobId: row.id,
    accountId: row.account_id,
    attemptToken: row.attempt_token,
    prompt: row.prompt,
    ...(row.negative_prompt ? { negativePrompt: row.negative_prompt } : {}),
    ...(row.image_key ? { imageKey: row.image_key } : {}),
    resolution: row.resolution,
    durationSeconds: row.duration_seconds,
    fps: row.fps,
    seed: Number(row.seed),
    steps: row.steps,
    guidanceScale: row.guidance_scale,
    model: row.model,
    ...(row.preset ? { preset: row.preset } : {}),
  };
}
