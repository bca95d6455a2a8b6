import {
  type Condition,
  type VideoJobPhase,
  type VideoJobStatus,
  CONDITION_REASONS,
  VIDEOJOB_CONDITIONS,
  phaseForStatus,
  type InternalJobView,
} from '@cineweave/contracts';
import { setCondition } from '../conditions.ts';

export const FINAL_PHASES: ReadonlySet<VideoJobPhase> = new Set([
  'Succeeded',
  'Failed',
  'Cancelled',
  'Expired',
]);

export function isFinal(phase: VideoJobPhase | undefined): boolean {
  return phase !== undefined && FINAL_PHASES.has(phase);
}

/** A presigned link in status is replaced by a fresh one once less than this is left of it. */
export const LINK_REFRESH_MARGIN_MS = 2 * 60_000;

export interface StatusContext {
  generation: number | undefined;
  now: Date;
  /** The API's address, for the video route of an API too old to hand out presigned links. */
  apiUrl: string;
  linkRefreshMarginMs?: number;
}

/** When a link that expires at `expiresAt` should be replaced. */
export function linkRefreshAt(expiresAt: string, marginMs = LINK_REFRESH_MARGIN_MS): number {
  return Date.parse(expiresAt) - marginMs;
}

/**
 * The VideoJob status that mirrors an API job: phase, progress, queue position, output, credits,
 * times and the Accepted/Queued/Complete/Failed conditions. Pure, so that a reconcile can compare it with
 * what is stored and write only a real change.
 */
export function statusFromJob(
  current: VideoJobStatus | undefined,
  job: InternalJobView,
  context: StatusContext,
): VideoJobStatus {
  const phase = phaseForStatus(job.status);
  let conditions = setCondition(
    current?.conditions,
    {
      type: VIDEOJOB_CONDITIONS.accepted,
      status: 'True',
      reason: CONDITION_REASONS.submitted,
      message: `Job ${job.id} admitted: ${job.creditsReserved} credits reserved.`,
    },
    context.generation,
    context.now,
  );
  const set = (type: string, status: 'True' | 'False', reason: string, message: string): void => {
    conditions = setCondition(conditions, { type, status, reason, message }, context.generation, context.now);
  };
  switch (job.status) {
    case 'queued':
      // Why it waits (WaitingForWorker, ScalingUp, ModelUnavailable) is the Queued condition's
      // reason; Complete only says the video is not there yet.
      set(
        VIDEOJOB_CONDITIONS.queued,
        'True',
        job.queue?.reason ?? CONDITION_REASONS.admitted,
        phaseMessage(job),
      );
      set(VIDEOJOB_CONDITIONS.complete, 'False', CONDITION_REASONS.queued, phaseMessage(job));
      break;
    case 'running':
      set(VIDEOJOB_CONDITIONS.queued, 'False', CONDITION_REASONS.running, 'A GPU worker took the job.');
      set(VIDEOJOB_CONDITIONS.complete, 'False', CONDITION_REASONS.running, phaseMessage(job));
      break;
    case 'succeeded':
      set(VIDEOJOB_CONDITIONS.queued, 'False', CONDITION_REASONS.succeeded, phaseMessage(job));
      set(VIDEOJOB_CONDITIONS.complete, 'True', CONDITION_REASONS.succeeded, phaseMessage(job));
      break;
    case 'expired':
      // The video was made (Complete stays as it was); only its files are gone.
      break;
    case 'failed':
    case 'cancelled': {
      const reason = job.status === 'failed' ? CONDITION_REASONS.renderFailed : CONDITION_REASONS.cancelled;
      set(VIDEOJOB_CONDITIONS.queued, 'False', reason, phaseMessage(job));
      set(VIDEOJOB_CONDITIONS.complete, 'False', reason, phaseMessage(job));
      set(VIDEOJOB_CONDITIONS.failed, 'True', reason, phaseMessage(job));
      break;
    }
  }
  const status: VideoJobStatus = {
    phase,
    progress: job.status === 'succeeded' || job.status === 'expired' ? 100 : Math.round(job.progress),
    jobId: job.id,
    model: job.model,
    creditsReserved: job.creditsReserved,
    message: phaseMessage(job),
    observedGeneration: context.generation,
    conditions,
  };
  if (job.status === 'queued' && job.queuePosition !== null && job.queuePosition !== undefined) {
    status.queuePosition = job.queuePosition;
  }
  if (job.status === 'queued' && job.queue?.etaSeconds != null) status.queueEtaSeconds = job.queue.etaSeconds;
  if (job.creditsCharged !== null) status.creditsCharged = job.creditsCharged;
  if (job.gpuSeconds !== null) status.gpuSeconds = job.gpuSeconds;
  if (job.startedAt) status.startTime = job.startedAt;
  if (job.finishedAt && isFinal(phase)) status.completionTime = job.finishedAt;
  if (job.status === 'succeeded' && job.videoKey && job.thumbnailKey) {
    status.output = outputOf(current?.output, job, context);
  }
  return status;
}

type Output = NonNullable<VideoJobStatus['output']>;

/**
 * The output keys and presigned links. Links in status stay until they are about to expire (every
 * read of the API signs new ones; replacing them each time would rewrite the status for nothing).
 */
function outputOf(current: Output | undefined, job: InternalJobView, context: StatusContext): Output {
  const keys = { objectKey: job.videoKey ?? '', thumbnailKey: job.thumbnailKey ?? '' };
  const fresh = job.downloads;
  if (!fresh) {
    // An API without presigned links: point at its video route (a bearer token is needed there).
    return { ...keys, ...(job.videoUrl ? { url: new URL(job.videoUrl, context.apiUrl).toString() } : {}) };
  }
  const keep =
    current?.url !== undefined &&
    current.expiresAt !== undefined &&
    current.objectKey === keys.objectKey &&
    linkRefreshAt(current.expiresAt, context.linkRefreshMarginMs) > context.now.getTime();
  if (keep) return { ...keys, ...current };
  return { ...keys, url: fresh.video, thumbnailUrl: fresh.thumbnail, expiresAt: fresh.expiresAt };
}

/** The status of a VideoJob that ends before reaching the API (bad spec, unknown user, refused). */
export function failedStatus(
  current: VideoJobStatus | undefined,
  reason: string,
  message: string,
  context: Omit<StatusContext, 'apiUrl'>,
): VideoJobStatus {
  let conditions = setCondition(
    current?.conditions,
    { type: VIDEOJOB_CONDITIONS.accepted, status: 'False', reason, message },
    context.generation,
    context.now,
  );
  conditions = setCondition(
    conditions,
    { type: VIDEOJOB_CONDITIONS.failed, status: 'True', reason, message },
    context.generation,
    context.now,
  );
  return {
    phase: 'Failed',
    message,
    observedGeneration: context.generation,
    completionTime: current?.completionTime ?? context.now.toISOString(),
    conditions: leaveQueue(conditions, reason, message, context),
  };
}

/**
 * A VideoJob waiting to be submitted: Pending with the cause as Accepted=False. For the API being
 * down; and for a namespace bound to no team (or an unknown one), where it is submitted once the
 * namespace's annotation is fixed (a change of the namespace reconciles it).
 */
export function pendingStatus(
  current: VideoJobStatus | undefined,
  reason: string,
  message: string,
  context: Omit<StatusContext, 'apiUrl'> & { leavesQueue?: boolean },
): VideoJobStatus {
  const conditions = setCondition(
    current?.conditions,
    { type: VIDEOJOB_CONDITIONS.accepted, status: 'False', reason, message },
    context.generation,
    context.now,
  );
  return {
    ...current,
    phase: 'Pending',
    message,
    observedGeneration: context.generation,
    conditions: context.leavesQueue ? leaveQueue(conditions, reason, message, context) : conditions,
  };
}

/**
 * A VideoJob held before admission by a team limit (TeamLimit, QuotaExhausted, InsufficientCredits):
 * Pending, not Accepted yet, and Queued=True with the limit and when the operator tries again.
 */
export function heldStatus(
  current: VideoJobStatus | undefined,
  reason: string,
  message: string,
  context: Omit<StatusContext, 'apiUrl'>,
): VideoJobStatus {
  const pending = pendingStatus(current, reason, message, context);
  return {
    ...pending,
    conditions: setCondition(
      pending.conditions,
      { type: VIDEOJOB_CONDITIONS.queued, status: 'True', reason, message },
      context.generation,
      context.now,
    ),
  };
}

/** Queued turns False when a job that was waiting is refused for good (never added where absent). */
function leaveQueue(
  conditions: Condition[],
  reason: string,
  message: string,
  context: Omit<StatusContext, 'apiUrl'>,
): Condition[] {
  const queued = conditions.find((condition) => condition.type === VIDEOJOB_CONDITIONS.queued);
  if (queued?.status !== 'True') return conditions;
  return setCondition(
    conditions,
    { type: VIDEOJOB_CONDITIONS.queued, status: 'False', reason, message },
    context.generation,
    context.now,
  );
}

function phaseMessage(job: InternalJobView): string {
  switch (job.status) {
    case 'queued':
      if (job.queue) return `Queued: ${job.queue.message}`;
      return job.queuePosition ? `Queued behind ${job.queuePosition} job(s).` : 'Queued for a GPU worker.';
    case 'running':
      return `Rendering: ${Math.round(job.progress)}%.`;
    case 'succeeded':
      return 'The video is ready.';
    case 'failed':
      return `Rendering failed: ${job.failureReason ?? 'no reason given'}.`;
    case 'cancelled':
      return job.failureReason ?? 'Cancelled.';
    case 'expired':
      return 'The outputs were deleted after the retention period.';
  }
}
