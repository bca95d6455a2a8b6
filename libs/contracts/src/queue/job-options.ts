import { resultJobId } from './queues.ts';

/**
 * BullMQ job options in the shape BullMQ's `JobsOptions` accepts, without depending on BullMQ:
 * the contracts are shared with the portal, which has no queue.
 */
export interface QueueJobOptions {
  jobId?: string;
  attempts?: number;
  backoff?: { type: 'exponential' | 'fixed'; delay: number };
  priority?: number;
  removeOnComplete?: { age: number; count?: number };
  removeOnFail?: { age: number; count?: number };
}

/** Attempts BullMQ makes before giving a job up; a stalled worker (crash, SIGKILL) costs one. */
export const GENERATE_ATTEMPTS = 3;

/**
 * Every BullMQ option of a `generate` job, in one place: the API's producers (outbox relay,
 * reconciler, legacy-queue upgrade) all add through it.
 * `priority` is the VideoJob priority (0-100, higher runs sooner). The fair dispatcher leaves it
 * out: it adds jobs in the order it decided, and BullMQ's priorities would reorder them.
 */
export function generateJobOptions(job: { id: string; priority?: number }): QueueJobOptions {
  return {
    // The job's own id: the outbox relay and the reconciler may both add the same job, and BullMQ
    // ignores an add whose id already exists, so duplicates collapse instead of rendering twice.
    jobId: job.id,
    // Domain failures come back as `failed` results, not exceptions; attempts only cover a worker
    // that died or handed the job back on shutdown, so a few are enough.
    attempts: GENERATE_ATTEMPTS,
    // A crash loop should not burn through the attempts in seconds.
    backoff: { type: 'exponential', delay: 15_000 },
    // BullMQ runs lower numbers first and treats 0 as "no priority"; map 100 -> 1 ... 0 -> 101.
    ...(job.priority === undefined ? {} : { priority: 101 - Math.max(0, Math.min(100, job.priority)) }),
    // Finished entries stay a day so the reconciler can tell "finished, result in flight" from
    // "lost with Redis"; beyond that Postgres has the history.
    removeOnComplete: { age: 24 * 3600, count: 50_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 50_000 },
  };
}

/** Every BullMQ option of the `result` job a worker puts on the results queue when an attempt ends. */
export function resultJobOptions(result: { jobId: string; attemptToken: string }): QueueJobOptions {
  return {
    // One result per attempt: a re-send of the same attempt collapses into the first.
    jobId: resultJobId(result.jobId, result.attemptToken),
    // The API retries a result it could not settle itself (moveToDelayed), not through attempts;
    // settled results are kept briefly for debugging, refused ones a week for inspection.
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
