import { ACTIVE_JOB_STATUSES, type JobStatus } from '@cineweave/contracts';

/**
 * A status list as SQL text, for predicates that must stay constants (the planner matches them to
 * the partial indexes on `status`). Only ever given statuses from the contracts, never input.
 */
export function sqlStatusList(statuses: readonly JobStatus[]): string {
  return `(${statuses.map((status) => `'${status}'`).join(', ')})`;
}

/** `status IN ('queued', 'running')`, from ACTIVE_JOB_STATUSES: a job holding a reservation. */
export const ACTIVE_STATUS_SQL = sqlStatusList(ACTIVE_JOB_STATUSES);
