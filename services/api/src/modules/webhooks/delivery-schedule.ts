import type { JobsOptions } from 'bullmq';

/** The BullMQ job name of one delivery attempt. */
export const DELIVER_JOB = 'deliver';

/** What a delivery job carries: the row is the truth, the job only says when to try it. */
export interface DeliverJobData {
  deliveryId: string;
  attempt: number;
}

/**
 * Options of one attempt. `jobId` names the delivery and the attempt, so the dispatcher, the
 * sweeper and a retry adding the same attempt twice collapse into one job (BullMQ refuses `:`
 * in custom ids). Retries are new jobs scheduled from the row, not BullMQ `attempts`: the delay
 * and the give-up moment are decided where the outcome is recorded. Finished jobs are removed;
 * the delivery log lives in Postgres.
 */
export function deliverJobOptions(data: DeliverJobData, delayMs = 0): JobsOptions {
  return {
    jobId: `${data.deliveryId}-a${data.attempt}`,
    delay: Math.max(0, Math.round(delayMs)),
    attempts: 1,
    removeOnComplete: true,
    removeOnFail: true,
  };
}

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  windowMs: number;
}

/**
 * Exponential backoff with jitter: after the n-th failed attempt wait base·2^(n-1), capped at
 * max, times a random factor in [0.5, 1.5) so endpoints that failed together do not all retry in
 * the same second. Null once the next attempt would fall past the retry window (24 h by default)
 * counted from the delivery's creation: the delivery has failed.
 */
export function nextRetryDelay(
  failedAttempts: number,
  createdAt: Date,
  settings: BackoffSettings,
  now = Date.now(),
  random = Math.random,
): number | null {
  const exponential = Math.min(settings.baseMs * 2 ** Math.min(failedAttempts - 1, 40), settings.maxMs);
  const delay = exponential * (0.5 + random());
  return now + delay > createdAt.getTime() + settings.windowMs ? null : delay;
}
