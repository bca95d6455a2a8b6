import type { JobStatus, JobView, OpenAiVideo, OpenAiVideoStatus } from '@cineweave/contracts';

const STATUS: Record<JobStatus, OpenAiVideoStatus> = {
  queued: 'queued',
  running: 'in_progress',
  succeeded: 'completed',
  // Its outputs were deleted after the retention period: it did complete, and `expires_at` is past.
  expired: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

const unixSeconds = (iso: string | null): number | null =>
  iso === null ? null : Math.floor(Date.parse(iso) / 1000);

/** A CineWeave job as OpenAI's Video object: the one mapping `/v1/videos` answers with. */
export function toOpenAiVideo(job: JobView): OpenAiVideo {
  return {
    id: job.id,
    object: 'video',
    status: STATUS[job.status],
    progress: job.status === 'succeeded' || job.status === 'expired' ? 100 : job.progress,
    model: job.model,
    prompt: job.prompt,
    size: job.resolution,
    seconds: String(job.durationSeconds),
    created_at: unixSeconds(job.createdAt) ?? 0,
    completed_at: unixSeconds(job.finishedAt),
    expires_at: unixSeconds(job.outputExpiresAt),
    remixed_from_video_id: null,
    error:
      job.status === 'failed' || job.status === 'cancelled'
        ? {
            code: job.status === 'cancelled' ? 'cancelled' : 'generation_failed',
            message:
              job.failureReason ??
              (job.status === 'cancelled' ? 'The video was cancelled.' : 'The render failed.'),
          }
        : null,
  };
}
