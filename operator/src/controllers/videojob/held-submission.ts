import { CONDITION_REASONS, type LimitRefusal } from '@cineweave/contracts';

/** What a refused submission tells: the problem's status, code, detail and team limit. */
export interface Refusal {
  status: number;
  code: string | undefined;
  detail: string;
  limit?: LimitRefusal | undefined;
  retryAfterMs?: number | undefined;
}

export interface HoldTimings {
  /** How often a job held by the active-job limit (and, at first, by credits) is submitted again. */
  retryMs: number;
  /** The longest wait between two tries: a quota raised or credits added are seen within it. */
  recheckMaxMs: number;
}

/** Defaults: active jobs free within minutes; a quota resets monthly, so look at least every 10 min. */
export const DEFAULT_HOLD_TIMINGS: HoldTimings = { retryMs: 30_000, recheckMaxMs: 10 * 60_000 };

/** A submission the API refused for now: the VideoJob waits (Queued=True) and is submitted again. */
export interface Hold {
  reason: string;
  /** Stable across tries (no countdown), so that a retry that changes nothing writes nothing. */
  message: string;
  retryInMs: number;
}

/**
 * Whether a refusal holds the VideoJob rather than failing it, and until when. Team limits hold:
 * the active-job limit frees as jobs end (retried every `retryMs`, or the API's Retry-After);
 * a monthly quota or member cap at its `resetsAt` (re-checked at least every `recheckMaxMs`, in
 * case an admin raises it); missing credits whenever credits are added or reservations released,
 * so those tries back off from `retryMs` to `recheckMaxMs` as the hold lasts (each wait as long
 * as the hold so far). As a Pod waits out a ResourceQuota, a VideoJob waits out its team's limits.
 */
export function holdFor(
  refusal: Refusal,
  heldSince: Date | undefined,
  now: Date,
  timings: HoldTimings = DEFAULT_HOLD_TIMINGS,
): Hold | null {
  const clamp = (ms: number) => Math.min(timings.recheckMaxMs, Math.max(ms, 1_000));
  if (refusal.code === 'ACTIVE_JOB_LIMIT' || (refusal.status === 429 && refusal.code !== 'RATE_LIMITED')) {
    const every = clamp(refusal.retryAfterMs ?? timings.retryMs);
    const limit = refusal.limit;
    const what = limit
      ? `team ${limit.teamId} has ${limit.used} of its ${limit.value} active jobs queued or running`
      : refusal.detail;
    return {
      reason: CONDITION_REASONS.teamLimit,
      message: `Held by the team's active-job limit (active-jobs): ${trimStop(what)}. Submitted again every ${duration(every)} until one finishes.`,
      retryInMs: every,
    };
  }
  if (refusal.code === 'QUOTA_EXHAUSTED') {
    const limit = refusal.limit;
    const resetsAt = limit?.resetsAt ? Date.parse(limit.resetsAt) : NaN;
    // A second past the reset: the quota month has turned on the API's clock too.
    const retryInMs = Number.isNaN(resetsAt) ? timings.recheckMaxMs : clamp(resetsAt - now.getTime() + 1_000);
    const what = limit ? limitSentence(limit) : trimStop(refusal.detail);
    const when = limit?.resetsAt ? `It resets at ${limit.resetsAt}; submitted again then` : 'Submitted again';
    return {
      reason: CONDITION_REASONS.quotaExhausted,
      message: `Held: ${what}. ${when}, and every ${duration(timings.recheckMaxMs)} in case the limit is raised.`,
      retryInMs,
    };
  }
  if (refusal.code === 'INSUFFICIENT_CREDITS' || (refusal.status === 402 && refusal.code === undefined)) {
    const heldFor = heldSince ? now.getTime() - heldSince.getTime() : 0;
    return {
      reason: CONDITION_REASONS.insufficientCredits,
      message: `Held: ${trimStop(refusal.detail)}. Submitted again when the team's credits allow (tried after ${duration(timings.retryMs)}, then less often, at least every ${duration(timings.recheckMaxMs)}).`,
      retryInMs: clamp(Math.max(heldFor, timings.retryMs)),
    };
  }
  return null;
}

function limitSentence(limit: LimitRefusal): string {
  switch (limit.name) {
    case 'monthly-credit-quota':
      return `team ${limit.teamId} has committed ${limit.used} of its monthly credit quota of ${limit.value} (monthly-credit-quota)`;
    case 'member-monthly-cap':
      return `the submitter (for a VideoJob, its namespace) has committed ${limit.used} of the ${limit.value} credits one member of team ${limit.teamId} may use per month (member-monthly-cap)`;
    case 'active-jobs':
      return `team ${limit.teamId} has ${limit.used} of its ${limit.value} active jobs queued or running (active-jobs)`;
  }
}

function trimStop(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

/** 30 s, 10 min, 1 h: how people read a retry interval. */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}
