import { describe, expect, it } from 'vitest';
import type { AdmissionRow } from './admission.repository.ts';
import { admissionRefusal } from './admission-refusal.ts';

const TEAM = '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f';

/** A locked team that lets a 10-credit job in, with `overrides` applied. */
function lockedTeam(overrides: Partial<AdmissionRow> = {}): AdmissionRow {
  return {
    acct_id: TEAM,
    acct_name: 'Studio',
    acct_personal: false,
    acct_balance: 100,
    acct_reserved: 0,
    acct_active_jobs: 0,
    acct_job_limit: 5,
    acct_quota: null,
    acct_member_cap: null,
    acct_team_used: 0,
    acct_member_used: 0,
    acct_monthly_unchecked: false,
    quota_month_start: new Date('2026-12-01T00:00:00Z'),
    ...overrides,
  };
}

/** Every check fails at once. */
const EVERYTHING_FAILS: Partial<AdmissionRow> = {
  acct_quota: 50,
  acct_team_used: 45,
  acct_member_cap: 20,
  acct_member_used: 15,
  acct_balance: 5,
  acct_active_jobs: 5,
};

describe(admissionRefusal.name, () => {
  it('should refuse nothing when every limit and the credits let the job in', () => {
    expect(admissionRefusal(lockedTeam({ acct_quota: 10, acct_member_cap: 10 }), 10)).toBeNull();
  });

  it('should name the longest-lasting refusal when several fail, then the next as each is lifted', () => {
    const codes = [
      EVERYTHING_FAILS,
      { ...EVERYTHING_FAILS, acct_quota: null },
      { ...EVERYTHING_FAILS, acct_quota: null, acct_member_cap: null },
      { ...EVERYTHING_FAILS, acct_quota: null, acct_member_cap: null, acct_balance: 100 },
    ].map((overrides) => {
      const refusal = admissionRefusal(lockedTeam(overrides), 10);
      return [refusal?.status, refusal?.code, (refusal?.extensions.limit as { name?: string })?.name];
    });
    expect(codes).toEqual([
      [402, 'QUOTA_EXHAUSTED', 'monthly-credit-quota'],
      [402, 'QUOTA_EXHAUSTED', 'member-monthly-cap'],
      [402, 'INSUFFICIENT_CREDITS', undefined],
      [429, 'ACTIVE_JOB_LIMIT', 'active-jobs'],
    ]);
  });

  it("should reset December's quota at the start of January of the next year, in UTC", () => {
    const refusal = admissionRefusal(lockedTeam({ acct_quota: 50, acct_team_used: 45 }), 10);
    expect(refusal?.extensions.limit).toEqual({
      name: 'monthly-credit-quota',
      teamId: TEAM,
      value: 50,
      used: 45,
      resetsAt: '2027-01-01T00:00:00.000Z',
    });
    expect(refusal?.detail).toContain('the quota resets at 00:00 UTC on 1 January 2027.');
  });

  it('should speak to the owner of a personal team about their own team and limit', () => {
    const refusal = admissionRefusal(
      lockedTeam({ acct_personal: true, acct_name: 'Personal', acct_active_jobs: 5 }),
      10,
    );
    expect(refusal?.headers).toEqual({ 'Retry-After': '30' });
    expect(refusal?.detail).toBe(
      'Your personal team has 5 jobs queued or running, its limit; wait for one to finish, or raise the limit.',
    );
  });
});
