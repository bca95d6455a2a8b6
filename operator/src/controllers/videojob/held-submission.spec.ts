import { describe, expect, it } from 'vitest';
import { duration, holdFor } from './held-submission.ts';

const TEAM = '0b9d4c3e-5a61-4f7e-9c2d-8e1f0a2b3c4d';
const now = new Date('2026-03-20T12:00:00Z');
const timings = { retryMs: 30_000, recheckMaxMs: 600_000 };

describe(holdFor.name, () => {
  it('should hold an active-job refusal as TeamLimit and retry after Retry-After, naming the limit', () => {
    const hold = holdFor(
      {
        status: 429,
        code: 'ACTIVE_JOB_LIMIT',
        detail: 'Too many.',
        limit: { name: 'active-jobs', teamId: TEAM, value: 3, used: 3 },
        retryAfterMs: 20_000,
      },
      undefined,
      now,
      timings,
    );
    expect(hold).toEqual({
      reason: 'TeamLimit',
      message: `Held by the team's active-job limit (active-jobs): team ${TEAM} has 3 of its 3 active jobs queued or running. Submitted again every 20 s until one finishes.`,
      retryInMs: 20_000,
    });
  });

  it('should fall back to the API detail and the configured retry when the problem has no limit extension', () => {
    const hold = holdFor(
      { status: 429, code: 'ACTIVE_JOB_LIMIT', detail: 'You already have 2 jobs.' },
      undefined,
      now,
      timings,
    );
    expect(hold?.message).toContain('You already have 2 jobs. Submitted again every 30 s');
    expect(hold?.retryInMs).toBe(30_000);
  });

  it('should hold a quota refusal until its reset, re-checked at most every recheckMaxMs', () => {
    const refusal = (resetsAt: string) => ({
      status: 402,
      code: 'QUOTA_EXHAUSTED',
      detail: 'Quota used.',
      limit: { name: 'monthly-credit-quota' as const, teamId: TEAM, value: 500, used: 498, resetsAt },
    });
    const far = holdFor(refusal('2026-04-01T00:00:00.000Z'), undefined, now, timings);
    expect(far).toMatchObject({ reason: 'QuotaExhausted', retryInMs: 600_000 });
    expect(far?.message).toBe(
      `Held: team ${TEAM} has committed 498 of its monthly credit quota of 500 (monthly-credit-quota). It resets at 2026-04-01T00:00:00.000Z; submitted again then, and every 10 min in case the limit is raised.`,
    );
    const soon = holdFor(refusal('2026-03-20T12:00:05.000Z'), undefined, now, timings);
    expect(soon?.retryInMs).toBe(6_000);
    const cap = holdFor(
      {
        ...refusal('2026-04-01T00:00:00.000Z'),
        limit: { ...refusal('x').limit, name: 'member-monthly-cap', resetsAt: '2026-04-01T00:00:00.000Z' },
      },
      undefined,
      now,
      timings,
    );
    expect(cap?.message).toContain('one member of team');
    expect(cap?.message).toContain('(member-monthly-cap)');
  });

  it('should hold missing credits with a backoff that grows with the hold, between retryMs and recheckMaxMs', () => {
    const refusal = {
      status: 402,
      code: 'INSUFFICIENT_CREDITS',
      detail: 'This job costs 10 credits and 0 are available.',
    };
    expect(holdFor(refusal, undefined, now, timings)?.retryInMs).toBe(30_000);
    const since = (ms: number) => new Date(now.getTime() - ms);
    expect(holdFor(refusal, since(100_000), now, timings)?.retryInMs).toBe(100_000);
    expect(holdFor(refusal, since(3_600_000), now, timings)?.retryInMs).toBe(600_000);
    const hold = holdFor(refusal, since(100_000), now, timings);
    expect(hold?.reason).toBe('InsufficientCredits');
    // The message does not count down: a retry that changes nothing rewrites no status.
    expect(hold?.message).toBe(holdFor(refusal, since(200_000), now, timings)?.message);
  });

  it('should not hold other refusals', () => {
    expect(
      holdFor({ status: 422, code: 'CONTENT_POLICY', detail: 'no' }, undefined, now, timings),
    ).toBeNull();
    expect(holdFor({ status: 404, code: 'NOT_FOUND', detail: 'no' }, undefined, now, timings)).toBeNull();
  });
});

describe(duration.name, () => {
  it('should say seconds, minutes or hours as people read them', () => {
    expect([duration(30_000), duration(600_000), duration(3_600_000 * 3)]).toEqual(['30 s', '10 min', '3 h']);
  });
});
