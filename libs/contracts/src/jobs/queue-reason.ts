import { z } from 'zod';

/**
 * Why a queued job is still waiting, in a word a script can branch on:
 * - `WaitingForWorker`: workers of its model are ready; all are busy with jobs ahead of it.
 * - `ScalingUp`: a worker of its model has announced itself but is not ready yet (loading weights,
 *   waiting for its engine).
 * - `ModelUnavailable`: no worker of its model is alive. It waits (it is never handed to another
 *   model's worker) until one starts: a WorkerPool of the model with work waiting scales up.
 * - `TeamLimit`: not admitted yet: its team runs as many jobs as its active-job limit allows
 *   (a VideoJob's `Queued` condition while the operator retries the submission).
 * - `QuotaExhausted`: not admitted yet: its team's monthly credit quota (or the submitter's
 *   monthly cap) is used up until it resets (likewise a VideoJob's `Queued` condition).
 */
export const QUEUE_REASONS = [
  'WaitingForWorker',
  'ScalingUp',
  'ModelUnavailable',
  'TeamLimit',
  'QuotaExhausted',
] as const;
export const QueueReasonSchema = z.enum(QUEUE_REASONS);
export type QueueReason = z.infer<typeof QueueReasonSchema>;

/** What the portal and the CLI say for each reason (one wording for both). */
export const QUEUE_REASON_LABELS: Record<QueueReason, string> = {
  WaitingForWorker: 'Waiting for a free worker',
  ScalingUp: 'A worker is starting',
  ModelUnavailable: 'No worker serves this model yet',
  TeamLimit: "Held by the team's active-job limit",
  QuotaExhausted: "Held until the team's monthly credits reset",
};

/**
 * Where a queued job stands: jobs ahead of it in its model's queue, why it waits, and the sentence
 * people read. The queue is shared between teams by weighted fair queueing, so "ahead" is the fair
 * order (the dispatcher's), not the order of admission. Other teams appear only as counts.
 */
export const QueueStandingSchema = z.object({
  /** Jobs a worker of the model takes before this one, every team's. */
  position: z.int().min(0),
  /** Of those, how many are the job's own team's. Absent from API replicas older than fair queueing. */
  teamJobsAhead: z.int().min(0).optional(),
  /** How many other teams have at least one job ahead of it. Absent from older API replicas. */
  teamsAhead: z.int().min(0).optional(),
  reason: QueueReasonSchema,
  message: z.string(),
  /**
   * An estimate of the seconds until the job is done: the model's recent render time (the median
   * of its last finished jobs, else the catalog's typical time) for each round of the ready
   * workers before it and its own. Null while no worker of the model is ready.
   */
  etaSeconds: z.int().min(0).nullable(),
});
export type QueueStanding = z.infer<typeof QueueStandingSchema>;
