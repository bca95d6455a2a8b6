/**
 * Monthly team limits (the team's credit quota, a member's cap) count what was committed in the
 * current calendar month, UTC: they reset at 00:00 UTC on the 1st, whatever the caller's zone.
 */
export function quotaMonth(now: Date = new Date()): { start: Date; resetsAt: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, resetsAt };
}

/**
 * What one job `j` commits against a monthly limit: its reservation while it is queued or
 * running, what was charged once it rendered, nothing once its credits were released. The one
 * definition, used by admission's check and by the team page's figures.
 */
export const JOB_COMMITTED_CREDITS_SQL = `CASE
  WHEN j.status IN ('queued', 'running') THEN j.credits_reserved
  WHEN j.status IN ('succeeded', 'expired') THEN coalesce(j.credits_charged, j.credits_reserved)
  ELSE 0 END`;
