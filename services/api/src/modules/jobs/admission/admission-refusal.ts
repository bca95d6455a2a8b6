import type { LimitRefusal } from '@cineweave/contracts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { quotaMonth } from '../../teams/quota-month.ts';
import type { AdmissionRow } from './admission.repository.ts';

/** Seconds a client refused by the active-job limit should wait: about a short render's length. */
const ACTIVE_LIMIT_RETRY_AFTER_SECONDS = '30';

/** "00:00 UTC on 1 January 2027": a monthly limit's reset, the same for every caller's zone. */
function resetPhrase(resetsAt: Date): string {
  const day = resetsAt.toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  return `00:00 UTC on ${day}`;
}

/** How the team is named in a sentence to one of its members. */
function teamPhrase(state: AdmissionRow): string {
  return state.acct_personal ? 'Your personal team' : `Team "${state.acct_name}"`;
}

/** Who can lift `what`: in a personal team, its one member (its owner) themselves. */
function whoRaises(state: AdmissionRow, what: string): string {
  return state.acct_personal ? `raise the ${what}` : `ask a team owner or admin to raise the ${what}`;
}

/**
 * Why the admission statement admitted nothing, from the account as it locked it: the refusal
 * for the first check that fails, or null if none does. When several fail, the one that lasts
 * longest wins, so a client that waits and retries is not sent back for a reason that has not
 * gone away:
 * 1. the team's monthly credit quota (402 QUOTA_EXHAUSTED): until the month resets, for every member;
 * 2. the member's monthly cap (402 QUOTA_EXHAUSTED): until the month resets, for this member;
 * 3. the available credits (402 INSUFFICIENT_CREDITS): until someone adds credits;
 * 4. the active-job limit (429 ACTIVE_JOB_LIMIT, Retry-After): frees as one of the team's jobs ends.
 * The team limits carry the problem extension `limit` (LimitRefusal), which the portal and the
 * operator read instead of parsing the sentence.
 */
export function admissionRefusal(state: AdmissionRow, price: number): DomainError | null {
  const teamId = state.acct_id;
  const { resetsAt } = quotaMonth(state.quota_month_start);
  const resets = resetPhrase(resetsAt);
  if (state.acct_quota !== null && state.acct_team_used + price > state.acct_quota) {
    const limit: LimitRefusal = {
      name: 'monthly-credit-quota',
      teamId,
      value: state.acct_quota,
      used: state.acct_team_used,
      resetsAt: resetsAt.toISOString(),
    };
    return new DomainError(
      'QUOTA_EXHAUSTED',
      `${teamPhrase(state)} has committed ${limit.used} of its monthly quota of ${limit.value} credits and this job costs ${price}; ` +
        `the quota resets at ${resets}. Choose a shorter or smaller video, or ${whoRaises(state, 'quota')}.`,
      [],
      {},
      { limit },
    );
  }
  if (state.acct_member_cap !== null && state.acct_member_used + price > state.acct_member_cap) {
    const limit: LimitRefusal = {
      name: 'member-monthly-cap',
      teamId,
      value: state.acct_member_cap,
      used: state.acct_member_used,
      resetsAt: resetsAt.toISOString(),
    };
    const team = state.acct_personal ? 'your personal team' : `team "${state.acct_name}"`;
    return new DomainError(
      'QUOTA_EXHAUSTED',
      `You have committed ${limit.used} of your monthly cap of ${limit.value} credits in ${team} and this job costs ${price}; ` +
        `the cap resets at ${resets}. Choose a shorter or smaller video, or ${whoRaises(state, 'cap')}.`,
      [],
      {},
      { limit },
    );
  }
  const available = state.acct_balance - state.acct_reserved;
  if (available < price) {
    return new DomainError(
      'INSUFFICIENT_CREDITS',
      `This job costs ${price} credits and ${available} are available; choose a shorter or smaller video, or add credits.`,
    );
  }
  if (state.acct_active_jobs >= state.acct_job_limit) {
    const limit: LimitRefusal = {
      name: 'active-jobs',
      teamId,
      value: state.acct_job_limit,
      used: state.acct_active_jobs,
    };
    return new DomainError(
      'ACTIVE_JOB_LIMIT',
      `${teamPhrase(state)} has ${limit.used} jobs queued or running, its limit; ` +
        `wait for one to finish, or ${whoRaises(state, 'limit')}.`,
      [],
      { 'Retry-After': ACTIVE_LIMIT_RETRY_AFTER_SECONDS },
      { limit },
    );
  }
  return null;
}
