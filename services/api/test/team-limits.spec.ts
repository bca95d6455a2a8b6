// Team limits at admission (#19): the team's active-job limit, its monthly credit quota and the
// per-member monthly cap, checked in the admission statement under the team's row lock, so that
// no interleaving of admissions (one API replica or several) lets a team past any of them.
import type { INestApplication } from '@nestjs/common';
import { DEFAULT_MODEL_ID, ProblemDetailsSchema, TEAM_HEADER, workQueueName } from '@cineweave/contracts';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.factory.ts';
import {
  ADMISSION_STATEMENT,
  ADMISSION_STATEMENT_NAME,
  MONTHLY_ADMISSION_STATEMENT,
  type AdmissionValues,
  admissionParameters,
} from '../src/modules/jobs/admission/admission.repository.ts';
import { JOB_COMMITTED_CREDITS_SQL } from '../src/modules/teams/quota-month.ts';
import {
  FakeGpuWorker,
  type Harness,
  INTERNAL_TOKEN,
  checkInvariants,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';
import { teamWithMembers } from './support/teams.ts';

/** Job bodies by price with the default pricing (credits per second × seconds). */
const PRICED: Record<number, { prompt: string; resolution: string; durationSeconds: number }> = {
  3: { prompt: 'rain on a tin roof', resolution: '640x352', durationSeconds: 1 },
  6: { prompt: 'rain on a tin roof', resolution: '640x352', durationSeconds: 2 },
  9: { prompt: 'rain on a tin roof', resolution: '640x352', durationSeconds: 3 },
  10: { prompt: 'a kite over the dunes', resolution: '1280x704', durationSeconds: 1 },
  20: { prompt: 'a kite over the dunes', resolution: '1280x704', durationSeconds: 2 },
};

/** The quota month as the contract states it, worked out here independently of quota-month.ts. */
function thisMonth(now = new Date()): { start: Date; resetsAt: Date; resetDay: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const resetsAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const months = 'January February March April May June July August September October November December';
  const resetDay = `1 ${months.split(' ')[resetsAt.getUTCMonth()]} ${resetsAt.getUTCFullYear()}`;
  return { start, resetsAt, resetDay };
}

interface Limits {
  activeJobLimit?: number | null;
  monthlyCreditQuota?: number | null;
  memberMonthlyCap?: number | null;
}

describe('team limits at admission', () => {
  let h: Harness;

  beforeAll(async () => {
    // The install's default active-job limit is high, so only the limits under test decide.
    h = await startHarness('team_limits', { MAX_ACTIVE_JOBS_PER_USER: '1000', DB_POOL_SIZE: '20' });
  });
  afterEach(async () => {
    await h.jobsQueue.drain(true);
  });
  afterAll(async () => {
    await h?.close();
  });

  const init = (user: string) =>
    request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);

  const submit = (user: string, teamId: string, price = 10, server: Server = h.server) =>
    request(server)
      .post('/v1/jobs')
      .set('Authorization', dev(user))
      .set(TEAM_HEADER, teamId)
      .send(PRICED[price]);

  /**
   * A team as the teams routes make one (an organization, the team's account, its members), with
   * `credits` granted through the ledger so that balance = ledger sum holds from the start.
   */
  async function createTeam(
    name: string,
    members: string[],
    credits: number,
    limits: Limits = {},
    plan = 'free',
  ): Promise<string> {
    for (const member of members) await init(member);
    const org = await h.db.query<{ id: string }>(
      `INSERT INTO organizations (name) VALUES ($1) RETURNING id`,
      [name],
    );
    const team = await h.db.query<{ id: string }>(
      `INSERT INTO accounts (name, organization_id, plan_id) VALUES ($1, $2, $3) RETURNING id`,
      [name, org.rows[0].id, plan],
    );
    const teamId = team.rows[0].id;
    await h.db.query(
      `INSERT INTO team_members (team_id, user_id, role, source) SELECT $1, unnest($2::text[]), 'member', 'manual'`,
      [teamId, members],
    );
    await h.db.query(
      `WITH grant_row AS (
         INSERT INTO credit_ledger (account_id, kind, amount, reference, reason, actor)
         VALUES ($1, 'grant', $2, $3, 'Team credits for the test', 'test'))
       UPDATE accounts SET balance = balance + $2 WHERE id = $1`,
      [teamId, credits, `test-grant:${teamId}`],
    );
    await setLimits(teamId, limits);
    return teamId;
  }

  async function setLimits(teamId: string, limits: Limits): Promise<void> {
    const column = {
      activeJobLimit: 'active_job_limit',
      monthlyCreditQuota: 'monthly_credit_quota',
      memberMonthlyCap: 'member_monthly_cap',
    } as const;
    for (const [field, value] of Object.entries(limits)) {
      await h.db.query(`UPDATE accounts SET ${column[field as keyof Limits]} = $2 WHERE id = $1`, [
        teamId,
        value,
      ]);
    }
  }

  /** What the team (or one member) committed this month, by the one definition. */
  async function committed(teamId: string, userId?: string): Promise<number> {
    const { rows } = await h.db.query<{ n: number }>(
      `SELECT coalesce(sum(${JOB_COMMITTED_CREDITS_SQL}), 0)::int AS n FROM jobs j
        WHERE j.account_id = $1 AND j.created_at >= $2 AND ($3::text IS NULL OR j.user_id = $3)`,
      [teamId, thisMonth().start, userId ?? null],
    );
    return rows[0].n;
  }

  const accountOf = async (teamId: string) =>
    (await h.db.query(`SELECT balance, reserved, active_jobs FROM accounts WHERE id = $1`, [teamId])).rows[0];

  const jobStatus = async (jobId: string) =>
    (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [jobId])).rows[0].status as string;

  it("should refuse with 402 QUOTA_EXHAUSTED naming the quota, its use and its reset when a job would pass the team's monthly quota", async () => {
    const teamId = await createTeam('Studio', ['quota-owner'], 1000, { monthlyCreditQuota: 25 });
    await submit('quota-owner', teamId).expect(202);
    await submit('quota-owner', teamId).expect(202);
    const before = await accountOf(teamId);

    const refused = await submit('quota-owner', teamId).expect(402);

    const { resetsAt, resetDay } = thisMonth();
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toEqual({
      type: 'https://cineweave.io/problems/quota-exhausted',
      title: 'A monthly credit limit is used up',
      status: 402,
      code: 'QUOTA_EXHAUSTED',
      detail:
        `Team "Studio" has committed 20 of its monthly quota of 25 credits and this job costs 10; ` +
        `the quota resets at 00:00 UTC on ${resetDay}. Choose a shorter or smaller video, or ask a team owner or admin to raise the quota.`,
      errors: [],
      limit: {
        name: 'monthly-credit-quota',
        teamId,
        value: 25,
        used: 20,
        resetsAt: resetsAt.toISOString(),
      },
    });
    expect(ProblemDetailsSchema.parse(refused.body)).toEqual(refused.body);
    // A refusal changes nothing: no job, no reservation.
    expect(await accountOf(teamId)).toEqual(before);
    // A job that still fits is admitted: the quota counts credits, not jobs.
    await submit('quota-owner', teamId, 3).expect(202);
    expect(await committed(teamId)).toBe(23);
    await checkInvariants(h.db);
  });

  it('should free quota when a job fails or is cancelled and keep counting what a finished job captured', async () => {
    const teamId = await createTeam('Settled', ['settle-a'], 1000, { monthlyCreditQuota: 30 });
    const worker = new FakeGpuWorker(h);
    /** The next job of this team a worker takes (the queue may still hold other tests' jobs). */
    const takeOwn = async () => {
      for (;;) {
        const job = await worker.take();
        if (job.data.accountId === teamId) return job;
      }
    };
    try {
      const jobs = [];
      for (let i = 0; i < 3; i++) jobs.push((await submit('settle-a', teamId).expect(202)).body.id as string);
      const full = await submit('settle-a', teamId).expect(402);
      expect(full.body.limit).toMatchObject({ name: 'monthly-credit-quota', used: 30, value: 30 });
      const failing = await takeOwn();
      const rendering = await takeOwn();

      // A failed job's reservation is released: its credits no longer count.
      await worker.report({
        jobId: failing.data.jobId,
        attemptToken: failing.data.attemptToken,
        outcome: 'failed',
        reason: 'out of memory',
        gpuSeconds: 1,
      });
      await eventually(async () => (await jobStatus(failing.data.jobId)) === 'failed');
      expect(await committed(teamId)).toBe(20);
      await submit('settle-a', teamId).expect(202);
      await submit('settle-a', teamId).expect(402);

      // A cancelled job frees its credits too.
      const queued = jobs.find((id) => id !== failing.data.jobId && id !== rendering.data.jobId) as string;
      await request(h.server)
        .post(`/v1/jobs/${queued}/cancel`)
        .set('Authorization', dev('settle-a'))
        .set(TEAM_HEADER, teamId)
        .expect(200);
      expect(await jobStatus(queued)).toBe('cancelled');
      expect(await committed(teamId)).toBe(20);

      // A rendered job's capture keeps counting.
      await worker.succeed(rendering);
      await eventually(async () => (await jobStatus(rendering.data.jobId)) === 'succeeded');
      expect(await committed(teamId)).toBe(20);
      await submit('settle-a', teamId).expect(202);
      const again = await submit('settle-a', teamId).expect(402);
      expect(again.body.limit).toMatchObject({ name: 'monthly-credit-quota', used: 30 });
      await checkInvariants(h.db);
    } finally {
      await worker.close();
    }
  });

  it("should not count last month's jobs against this month's quota or cap", async () => {
    const teamId = await createTeam('Monthly', ['month-a'], 1000, {
      monthlyCreditQuota: 20,
      memberMonthlyCap: 20,
    });
    const first = (await submit('month-a', teamId).expect(202)).body.id as string;
    const second = (await submit('month-a', teamId).expect(202)).body.id as string;
    await submit('month-a', teamId).expect(402);

    // The month starts at 00:00 UTC on the 1st: a job a millisecond before it belongs to last month.
    const { start } = thisMonth();
    await h.db.query(
      `UPDATE jobs SET created_at = $2::timestamptz - interval '1 millisecond' WHERE id = $1`,
      [first, start],
    );
    expect(await committed(teamId)).toBe(10);
    await submit('month-a', teamId).expect(202);
    // One created exactly at the start of the month is this month's.
    await h.db.query(`UPDATE jobs SET created_at = $2 WHERE id = $1`, [second, start]);
    const refused = await submit('month-a', teamId).expect(402);
    expect(refused.body.limit).toMatchObject({ name: 'monthly-credit-quota', used: 20, value: 20 });
    // Last month's job is still queued: it holds its reservation and counts as active, only not against the month.
    expect(await accountOf(teamId)).toMatchObject({ reserved: 30, active_jobs: 3 });
    await checkInvariants(h.db);
  });

  it('should refuse a member at their monthly cap and still admit another member of the team', async () => {
    const teamId = await createTeam('Capped', ['cap-a', 'cap-b'], 1000, { memberMonthlyCap: 20 });
    await submit('cap-a', teamId).expect(202);
    await submit('cap-a', teamId).expect(202);

    const refused = await submit('cap-a', teamId).expect(402);

    const { resetsAt, resetDay } = thisMonth();
    expect(refused.body).toEqual({
      type: 'https://cineweave.io/problems/quota-exhausted',
      title: 'A monthly credit limit is used up',
      status: 402,
      code: 'QUOTA_EXHAUSTED',
      detail:
        `You have committed 20 of your monthly cap of 20 credits in team "Capped" and this job costs 10; ` +
        `the cap resets at 00:00 UTC on ${resetDay}. Choose a shorter or smaller video, or ask a team owner or admin to raise the cap.`,
      errors: [],
      limit: { name: 'member-monthly-cap', teamId, value: 20, used: 20, resetsAt: resetsAt.toISOString() },
    });
    await submit('cap-b', teamId).expect(202);
    await submit('cap-b', teamId).expect(202);
    await submit('cap-b', teamId).expect(402);
    // The cap counts only what a member committed in this team, not in their personal team.
    await request(h.server).post('/v1/jobs').set('Authorization', dev('cap-a')).send(PRICED[10]).expect(202);
    expect([await committed(teamId, 'cap-a'), await committed(teamId, 'cap-b')]).toEqual([20, 20]);
    await checkInvariants(h.db);
  });

  it("should answer 429 with the team's active-job limit, else its plan's", async () => {
    const teamId = await createTeam('Busy', ['busy-a', 'busy-b'], 1000, { activeJobLimit: 2 });
    await submit('busy-a', teamId).expect(202);
    await submit('busy-b', teamId).expect(202);

    const refused = await submit('busy-a', teamId).expect(429);

    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body).toEqual({
      type: 'https://cineweave.io/problems/active-job-limit',
      title: 'Too many active jobs',
      status: 429,
      code: 'ACTIVE_JOB_LIMIT',
      detail:
        'Team "Busy" has 2 jobs queued or running, its limit; wait for one to finish, or ask a team owner or admin to raise the limit.',
      errors: [],
      limit: { name: 'active-jobs', teamId, value: 2, used: 2 },
    });
    expect(ProblemDetailsSchema.parse(refused.body)).toEqual(refused.body);

    // Without a team limit, the plan's applies (Starter: 5).
    await h.db.query(`UPDATE accounts SET plan_id = 'starter', active_job_limit = NULL WHERE id = $1`, [
      teamId,
    ]);
    for (let i = 0; i < 3; i++) await submit('busy-b', teamId).expect(202);
    const planLimit = await submit('busy-b', teamId).expect(429);
    expect(planLimit.body.limit).toEqual({ name: 'active-jobs', teamId, value: 5, used: 5 });

    // A personal team is named as such.
    await init('solo');
    const solo = await h.db.query<{ id: string }>(`SELECT id FROM accounts WHERE user_id = 'solo'`);
    await setLimits(solo.rows[0].id, { activeJobLimit: 1 });
    await submit('solo', solo.rows[0].id).expect(202);
    const personal = await submit('solo', solo.rows[0].id).expect(429);
    expect(personal.body.detail).toMatch(/^Your personal team has 1 jobs queued or running, its limit;/);
    await checkInvariants(h.db);
  });

  it('should report the longest-lasting refusal when several limits refuse at once', async () => {
    const teamId = await createTeam('Everything', ['all-a'], 25, { activeJobLimit: 2 });
    await submit('all-a', teamId).expect(202);
    await submit('all-a', teamId).expect(202);
    // Now: 2 of 2 jobs active, 5 credits available, 20 committed this month.
    await setLimits(teamId, { monthlyCreditQuota: 20, memberMonthlyCap: 20 });
    const codeOf = async () => {
      const answer = await submit('all-a', teamId);
      return [answer.status, answer.body.code, answer.body.limit?.name];
    };
    expect(await codeOf()).toEqual([402, 'QUOTA_EXHAUSTED', 'monthly-credit-quota']);
    await setLimits(teamId, { monthlyCreditQuota: null });
    expect(await codeOf()).toEqual([402, 'QUOTA_EXHAUSTED', 'member-monthly-cap']);
    await setLimits(teamId, { memberMonthlyCap: 100 });
    expect(await codeOf()).toEqual([402, 'INSUFFICIENT_CREDITS', undefined]);
    await h.db.query(
      `WITH more AS (INSERT INTO credit_ledger (account_id, kind, amount, reason, actor)
                     VALUES ($1, 'adjust', 100, 'More credits for the test', 'test'))
       UPDATE accounts SET balance = balance + 100 WHERE id = $1`,
      [teamId],
    );
    expect(await codeOf()).toEqual([429, 'ACTIVE_JOB_LIMIT', 'active-jobs']);
    await setLimits(teamId, { activeJobLimit: 3 });
    expect((await codeOf())[0]).toBe(202);
    await checkInvariants(h.db);
  });

  it('should admit a retry with the same Idempotency-Key once an admin raised the quota that refused it', async () => {
    const teamId = await createTeam('Retrying', ['retry-a'], 1000, { monthlyCreditQuota: 5 });
    const withKey = () => submit('retry-a', teamId).set('Idempotency-Key', 'render-the-kite-once');
    const refused = await withKey().expect(402);
    expect(refused.body.limit).toMatchObject({ name: 'monthly-credit-quota', value: 5, used: 0 });
    await setLimits(teamId, { monthlyCreditQuota: 50 });
    // The refusal described the team at that moment; the key was left free, not bound to it.
    const admitted = await withKey().expect(202);
    expect(admitted.headers['idempotent-replayed']).toBeUndefined();
    const replayed = await withKey().expect(202);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.body.id).toBe(admitted.body.id);
    expect(await committed(teamId)).toBe(10);
    await checkInvariants(h.db);
  });

  it('should refuse a team made and limited through the API with the figures its team page shows', async () => {
    const teamId = await teamWithMembers(h, 'page-owner', 'Page Team', { member: 'page-member' }, 1000);
    const limited = await request(h.server)
      .patch(`/v1/teams/${teamId}/limits`)
      .set('Authorization', dev('page-owner'))
      .send({ monthlyCreditQuota: 25, memberMonthlyCap: 15 })
      .expect(200);
    expect(limited.body.limits).toEqual({
      activeJobLimit: null,
      monthlyCreditQuota: 25,
      memberMonthlyCap: 15,
    });
    await submit('page-member', teamId).expect(202);
    const capped = await submit('page-member', teamId).expect(402);
    expect(capped.body.limit).toMatchObject({ name: 'member-monthly-cap', value: 15, used: 10 });
    await submit('page-owner', teamId).expect(202);
    const refused = await submit('page-owner', teamId).expect(402);
    expect(refused.body.limit).toMatchObject({ name: 'monthly-credit-quota', value: 25, used: 20 });

    const page = await request(h.server)
      .get(`/v1/teams/${teamId}`)
      .set('Authorization', dev('page-owner'))
      .expect(200);
    expect(page.body.month).toMatchObject({ credits: 20, resetsAt: refused.body.limit.resetsAt });
    const members = await request(h.server)
      .get(`/v1/teams/${teamId}/members`)
      .set('Authorization', dev('page-owner'))
      .expect(200);
    const thisMonthOf = (user: string) =>
      (members.body.items as { userId: string; creditsThisMonth: number }[]).find((m) => m.userId === user)
        ?.creditsThisMonth;
    expect([thisMonthOf('page-member'), thisMonthOf('page-owner')]).toEqual([10, 10]);
    await checkInvariants(h.db);
  });

  it("should not let a concurrent admission of the team that commits while admission waits for the team's lock pass the quota", async () => {
    const teamId = await createTeam('Race', ['race-a', 'race-b'], 1000, { monthlyCreditQuota: 20 });
    await submit('race-a', teamId).expect(202);
    const holder = new pg.Client({ connectionString: h.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, [teamId]);
      // The API's admission waits for the team's lock (10 committed so far).
      const pending = submit('race-b', teamId).then((answer) => answer);
      await eventually(async () => {
        const { rows } = await h.db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n === 1;
      });
      // Another admission of the team (another replica, or the idempotent path) commits meanwhile.
      await holder.query({
        text: MONTHLY_ADMISSION_STATEMENT,
        values: admissionParameters([admissionValues(teamId, 'race-a', 10)]),
      });
      await holder.query('COMMIT');

      const answer = await pending;

      // Its sums include the job committed while it waited: summed after the lock, not before.
      expect(answer.status).toBe(402);
      expect(answer.body.limit).toMatchObject({ name: 'monthly-credit-quota', value: 20, used: 20 });
      expect(await committed(teamId)).toBe(20);
      await checkInvariants(h.db);
    } finally {
      await holder.end();
    }
  });

  it('should leave a team with monthly limits to the locked monthly statement when the hot one meets it', async () => {
    const teamId = await createTeam('Unannounced', ['unannounced-a'], 1000, { monthlyCreditQuota: 10 });
    // The hot statement does not sum the month: it writes nothing and says so.
    const { rows } = await h.db.query(
      ADMISSION_STATEMENT,
      admissionParameters([admissionValues(teamId, 'unannounced-a', 10)]),
    );
    expect(rows).toEqual([expect.objectContaining({ acct_monthly_unchecked: true, id: null })]);
    expect(await accountOf(teamId)).toMatchObject({ reserved: 0, active_jobs: 0 });
    // The operator's route does not say whether the team has monthly limits: the hot statement finds out.
    const internal = (uid: string) =>
      request(h.server)
        .post('/internal/v1/jobs')
        .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
        .send({ uid, userId: 'quota-bot', spec: PRICED[10] });
    await init('quota-bot');
    const personal = await h.db.query<{ id: string }>(`SELECT id FROM accounts WHERE user_id = 'quota-bot'`);
    await setLimits(personal.rows[0].id, { monthlyCreditQuota: 15 });
    await internal('vj-quota-1').expect(202);
    const refused = await internal('vj-quota-2').expect(402);
    expect(refused.body.limit).toMatchObject({
      name: 'monthly-credit-quota',
      teamId: personal.rows[0].id,
      value: 15,
      used: 10,
    });
    expect(refused.body.detail).toMatch(
      /^Your personal team has committed 10 of its monthly quota of 15 credits/,
    );
    await checkInvariants(h.db);
  });

  it('should keep the hot admission statement on a generic plan and out of jobs', async () => {
    const plain = await createTeam('Plain', ['plain-a'], 1000);
    const limited = await createTeam('Limited', ['limited-a'], 100, { memberMonthlyCap: 50 });
    // Postgres tries custom plans for a prepared statement's first five executions, then keeps the
    // generic one unless it estimates it dearer; replanning every admission cost more than the check.
    const client = new pg.Client({ connectionString: h.databaseUrl });
    await client.connect();
    try {
      for (let i = 0; i < 8; i++) {
        await client.query({
          name: ADMISSION_STATEMENT_NAME,
          text: ADMISSION_STATEMENT,
          values: admissionParameters([admissionValues(plain, 'plain-a', 10)]),
        });
      }
      const { rows } = await client.query(
        `SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE name = $1`,
        [ADMISSION_STATEMENT_NAME],
      );
      expect(rows[0].generic).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    /** How often a statement's plan scanned `jobs` (its insert into jobs aside). */
    const jobScans = async (statement: string, teamId: string, user: string): Promise<number> => {
      const db = await h.db.connect();
      try {
        await db.query('BEGIN');
        const { rows } = await db.query(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`,
          admissionParameters([admissionValues(teamId, user, 10)]),
        );
        await db.query('ROLLBACK');
        let loops = 0;
        const visit = (node: Record<string, unknown>) => {
          if (node['Relation Name'] === 'jobs' && String(node['Node Type']).includes('Scan')) {
            loops += Number(node['Actual Loops']);
          }
          for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
        };
        visit(rows[0]['QUERY PLAN'][0].Plan);
        return loops;
      } finally {
        db.release();
      }
    };
    expect(await jobScans(ADMISSION_STATEMENT, plain, 'plain-a')).toBe(0);
    // The monthly statement reads jobs only for a team that has a monthly limit.
    expect(await jobScans(MONTHLY_ADMISSION_STATEMENT, plain, 'plain-a')).toBe(0);
    expect(await jobScans(MONTHLY_ADMISSION_STATEMENT, limited, 'limited-a')).toBeGreaterThan(0);
    await checkInvariants(h.db);
  });

  it('should keep every limit and ledger invariant of 5 teams when 200 admissions race over two replicas', async () => {
    // Each team has one price, so how many of its admissions succeed does not depend on their order:
    // min(what the team-wide limits leave, the sum over members of what their caps leave).
    interface Scenario {
      name: string;
      price: number;
      credits: number;
      plan?: string;
      limits: Limits;
      /** Requests per member in the race. */
      requests: number[];
      /** Before the race: jobs per member this month, jobs of last month (member 0), jobs cancelled (member 0). */
      seed: { thisMonth: number[]; lastMonth?: number; cancelled?: number };
      expected: { admitted: number; perMember?: number[]; refusal: string[] };
    }
    const scenarios: Scenario[] = [
      {
        // The team quota binds: (300 - 50) / 10 = 25, fewer than the caps allow (3 + 8 + 8 + 8).
        name: 'Near Quota',
        price: 10,
        credits: 2000,
        limits: { monthlyCreditQuota: 300, memberMonthlyCap: 80 },
        requests: [10, 10, 10, 10],
        seed: { thisMonth: [5, 0, 0, 0], lastMonth: 2 },
        expected: { admitted: 25, refusal: ['QUOTA_EXHAUSTED'] },
      },
      {
        // Each member's cap binds: 30 / 6 = 5 each, and 3 for the one who already committed 12.
        name: 'Capped Crew',
        price: 6,
        credits: 1000,
        limits: { memberMonthlyCap: 30 },
        requests: [8, 8, 8, 8, 8],
        seed: { thisMonth: [0, 2, 0, 0, 0] },
        expected: { admitted: 23, perMember: [5, 3, 5, 5, 5], refusal: ['QUOTA_EXHAUSTED'] },
      },
      {
        // Credits bind: (100 - 3) / 3 = 32; the loose quota is still summed (and checked for staleness).
        name: 'Low Balance',
        price: 3,
        credits: 100,
        limits: { monthlyCreditQuota: 1000 },
        requests: [14, 13, 13],
        seed: { thisMonth: [1, 0, 0] },
        expected: { admitted: 32, refusal: ['INSUFFICIENT_CREDITS'] },
      },
      {
        // The team's active-job limit binds: 8 - 2 active (a third seeded job was cancelled).
        name: 'Busy Bees',
        price: 20,
        credits: 5000,
        limits: { activeJobLimit: 8, monthlyCreditQuota: 2000, memberMonthlyCap: 500 },
        requests: [10, 10, 10, 10],
        seed: { thisMonth: [2, 0, 0, 0], cancelled: 1 },
        expected: { admitted: 6, refusal: ['ACTIVE_JOB_LIMIT'] },
      },
      {
        // No team limits: the plan's active-job limit (Pro: 10) binds.
        name: 'Pro Plain',
        price: 9,
        credits: 1000,
        plan: 'pro',
        limits: {},
        requests: [10, 10, 10, 10],
        seed: { thisMonth: [0, 0, 0, 0] },
        expected: { admitted: 10, refusal: ['ACTIVE_JOB_LIMIT'] },
      },
    ];

    const teams = [];
    for (const [t, scenario] of scenarios.entries()) {
      const members = scenario.requests.map((_, m) => `race${t}-member${m}`);
      // Limits go on after the seed jobs: they describe a team that got near them this month.
      const teamId = await createTeam(scenario.name, members, scenario.credits, {}, scenario.plan);
      for (const [m, count] of scenario.seed.thisMonth.entries()) {
        for (let i = 0; i < count; i++) await submit(members[m], teamId, scenario.price).expect(202);
      }
      for (let i = 0; i < (scenario.seed.lastMonth ?? 0); i++) {
        const job = (await submit(members[0], teamId, scenario.price).expect(202)).body.id as string;
        await h.db.query(`UPDATE jobs SET created_at = $2::timestamptz - interval '3 days' WHERE id = $1`, [
          job,
          thisMonth().start,
        ]);
      }
      for (let i = 0; i < (scenario.seed.cancelled ?? 0); i++) {
        const job = (await submit(members[0], teamId, scenario.price).expect(202)).body.id as string;
        await request(h.server)
          .post(`/v1/jobs/${job}/cancel`)
          .set('Authorization', dev(members[0]))
          .set(TEAM_HEADER, teamId)
          .expect(200);
      }
      await setLimits(teamId, scenario.limits);
      teams.push({ scenario, teamId, members, committedBefore: await committed(teamId) });
    }

    // A second replica: two batchers, so admissions of one team really run at once.
    const replica: INestApplication = await createApp(h.config, { logs: false });
    await replica.listen(0, '127.0.0.1');
    try {
      const servers = [h.server, replica.getHttpServer() as Server];
      const racers = teams.flatMap(({ scenario, teamId, members }) =>
        members.flatMap((member, m) =>
          Array.from({ length: scenario.requests[m] }, () => ({ teamId, member, price: scenario.price })),
        ),
      );
      expect(racers).toHaveLength(200);
      // Interleaved across teams and replicas; every fifth with an Idempotency-Key (the locked path).
      const order = racers.map((racer, i) => ({ racer, key: (i * 7919) % racers.length }));
      order.sort((a, b) => a.key - b.key);
      const answers = await Promise.all(
        order.map(async ({ racer }, i) => {
          let call = submit(racer.member, racer.teamId, racer.price, servers[i % 2]);
          if (i % 5 === 0) call = call.set('Idempotency-Key', randomUUID());
          const answer = await call;
          return { ...racer, status: answer.status, code: answer.body.code as string | undefined };
        }),
      );

      for (const { scenario, teamId, members, committedBefore } of teams) {
        const mine = answers.filter((answer) => answer.teamId === teamId);
        const admitted = mine.filter((answer) => answer.status === 202);
        expect({ team: scenario.name, admitted: admitted.length }).toEqual({
          team: scenario.name,
          admitted: scenario.expected.admitted,
        });
        expect(new Set(mine.filter((a) => a.status !== 202).map((a) => a.code))).toEqual(
          new Set(scenario.expected.refusal),
        );
        if (scenario.expected.perMember) {
          expect(members.map((member) => admitted.filter((a) => a.member === member).length)).toEqual(
            scenario.expected.perMember,
          );
        }
        // What the team committed grew by exactly what was admitted.
        const month = await committed(teamId);
        expect(month).toBe(committedBefore + admitted.length * scenario.price);
        const { rows } = await h.db.query(
          `SELECT a.active_jobs, coalesce(a.active_job_limit, p.active_job_limit, 1000) AS job_limit,
                  a.monthly_credit_quota AS quota, a.member_monthly_cap AS cap,
                  (SELECT coalesce(sum(reserved_delta), 0)::int FROM credit_ledger l WHERE l.account_id = a.id) AS ledger_reserved,
                  (SELECT coalesce(sum(j.credits_reserved), 0)::int FROM jobs j
                    WHERE j.account_id = a.id AND j.status IN ('queued', 'running')) AS active_reservations,
                  a.reserved
             FROM accounts a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1`,
          [teamId],
        );
        const team = rows[0];
        expect(team.reserved).toBe(team.active_reservations);
        expect(team.reserved).toBe(team.ledger_reserved);
        expect(team.active_jobs).toBeLessThanOrEqual(team.job_limit);
        if (team.quota !== null) expect(month).toBeLessThanOrEqual(team.quota);
        if (team.cap !== null) {
          for (const member of members) expect(await committed(teamId, member)).toBeLessThanOrEqual(team.cap);
        }
      }
      // Balance = ledger sum, reserved = reservations, active_jobs = count, one reserve per job.
      await checkInvariants(h.db);
      const admittedJobs = answers.filter((answer) => answer.status === 202).length;
      expect(admittedJobs).toBe(scenarios.reduce((sum, s) => sum + s.expected.admitted, 0));
    } finally {
      await replica.close();
    }
  });
});

/** A prepared admission as AdmissionService.prepare makes one, for running the statement directly. */
function admissionValues(accountId: string, userId: string, credits: number): AdmissionValues {
  return {
    jobId: randomUUID(),
    accountId,
    userId,
    source: 'api',
    externalRef: null,
    prompt: 'another replica admits this one',
    negativePrompt: null,
    imageUploadId: null,
    imageKey: null,
    imageSha256: null,
    resolution: '1280x704',
    durationSeconds: 1,
    fps: 24,
    seed: 7,
    steps: 30,
    guidanceScale: 5,
    model: DEFAULT_MODEL_ID,
    preset: 'quality',
    priority: 50,
    credits,
    attemptToken: randomUUID(),
    topic: workQueueName(DEFAULT_MODEL_ID),
    defaultActiveJobLimit: 1000,
    webhookUrl: null,
  };
}
