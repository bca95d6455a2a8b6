import { z } from 'zod';

/** Where a job is in its life. Postgres holds it; everything else mirrors it. */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses in which a job holds a reservation and counts against the active-job limit. */
export const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const satisfies readonly JobStatus[];

/** Statuses a job never leaves, except `succeeded`, which retention turns into `expired`. */
export const FINISHED_JOB_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
  'expired',
] as const satisfies readonly JobStatus[];

const TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  // A queued job may be cancelled before any worker sees it, or failed by the reconciler
  // when its reservation outlives the admission timeout.
  queued: ['running', 'cancelled', 'failed'],
  // `running -> queued` is the hand-back path: a worker stopping (SIGTERM past its grace
  // period, or a crash detected as a stalled job) returns the job for another attempt.
  running: ['queued', 'succeeded', 'failed', 'cancelled'],
  // Retention deletes the outputs of a finished job.
  succeeded: ['expired'],
  failed: [],
  cancelled: [],
  expired: [],
};

export function allowedTransitions(from: JobStatus): readonly JobStatus[] {
  return TRANSITIONS[from];
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isActiveStatus(status: JobStatus): boolean {
  return (ACTIVE_JOB_STATUSES as readonly JobStatus[]).includes(status);
}

export function isFinishedStatus(status: JobStatus): boolean {
  return (FINISHED_JOB_STATUSES as readonly JobStatus[]).includes(status);
}
