import { JOB_STATUSES, type JobStatus, allowedTransitions, canTransition } from '@cineweave/contracts';
import { createDatabase, dropDatabase } from '@cineweave/test-support';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../../core/database/database.ts';
import { runMigrations } from '../../../core/database/run-migrations.ts';
import { FairDispatchRepository } from '../../dispatch/fair-dispatch.repository.ts';
import { ForbiddenJobTransition, JobTransitions, statusesLeadingTo } from './job-transitions.ts';

const PAIRS = JOB_STATUSES.flatMap((from) => JOB_STATUSES.map((to) => [from, to] as [JobStatus, JobStatus]));
const ALLOWED = PAIRS.filter(([from, to]) => canTransition(from, to));
const FORBIDDEN = PAIRS.filter(([from, to]) => !canTransition(from, to));

describe(JobTransitions.name, () => {
  const database = `cw_transitions_${randomBytes(4).toString('hex')}`;
  let pool: pg.Pool;
  let transitions: JobTransitions;
  let accountId: string;
  let jobId: string;

  /** A fresh job, put in `status` by hand: the test's own write, not the component's. */
  async function jobIn(status: JobStatus): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO jobs (id, account_id, user_id, status, prompt, resolution, duration_seconds, fps, seed, steps,
                         guidance_scale, model, credits_reserved, attempt_token)
       VALUES ($1, $2, 'user-transitions', $3, 'a lighthouse', '480p', 2, 16, 1, 4, 5, 'wan-1.3b', 10, $4)`,
      [id, accountId, status, randomUUID()],
    );
    return id;
  }

  async function statusOf(id: string): Promise<{ status: JobStatus; updated_at: Date }> {
    return (await pool.query(`SELECT status, updated_at FROM jobs WHERE id = $1`, [id])).rows[0];
  }

  beforeAll(async () => {
    await createDatabase(database);
    const url = `postgres://postgres@127.0.0.1:5432/${database}`;
    await runMigrations(url);
    pool = new pg.Pool({ connectionString: url, max: 2 });
    transitions = new JobTransitions(new Database(pool));
    await pool.query(`INSERT INTO users (id) VALUES ('user-transitions')`);
    accountId = (
      await pool.query(
        `INSERT INTO accounts (user_id, plan_id, balance) VALUES ('user-transitions', 'free', 100) RETURNING id`,
      )
    ).rows[0].id;
  });

  afterAll(async () => {
    await pool?.end();
    await dropDatabase(database);
  });

  it('should cover every pair of statuses with the table', () => {
    expect(ALLOWED.length + FORBIDDEN.length).toBe(JOB_STATUSES.length ** 2);
    expect(ALLOWED.length).toBe(JOB_STATUSES.reduce((sum, from) => sum + allowedTransitions(from).length, 0));
  });

  it.each(ALLOWED)('should move a job from %s to %s when the table allows it', async (from, to) => {
    jobId = await jobIn(from);
    const moved = await transitions.move(jobId, to, { from });
    expect(moved?.status).toBe(to);
    expect((await statusOf(jobId)).status).toBe(to);
  });

  it.each(ALLOWED)(
    'should move a job from %s to %s with the guard derived from the table when the caller names no state',
    async (from, to) => {
      jobId = await jobIn(from);
      expect((await transitions.move(jobId, to))?.status).toBe(to);
      expect((await statusOf(jobId)).status).toBe(to);
    },
  );

  it.each(FORBIDDEN)(
    'should refuse %s -> %s with an error naming both states and leave the row unchanged',
    async (from, to) => {
      jobId = await jobIn(from);
      const before = await statusOf(jobId);
      const refusal = transitions.move(jobId, to, { from });
      await expect(refusal).rejects.toBeInstanceOf(ForbiddenJobTransition);
      await expect(refusal).rejects.toThrow(`A job cannot go from ${from} to ${to}.`);
      expect(await statusOf(jobId)).toEqual(before);
    },
  );

  it.each(FORBIDDEN)(
    'should change nothing when a %s job is asked to become %s without naming its state',
    async (from, to) => {
      jobId = await jobIn(from);
      const before = await statusOf(jobId);
      expect(await transitions.move(jobId, to)).toBeNull();
      expect(await statusOf(jobId)).toEqual(before);
    },
  );

  it('should derive each guard from the table when listing the statuses leading to a target', () => {
    expect(statusesLeadingTo('running')).toEqual(['queued']);
    expect(statusesLeadingTo('queued')).toEqual(['running']);
    expect(statusesLeadingTo('failed')).toEqual(['queued', 'running']);
    expect(statusesLeadingTo('expired')).toEqual(['succeeded']);
  });

  it('should start a queued job through progress and keep a running one running when progress arrives', async () => {
    jobId = await jobIn('queued');
    expect((await transitions.recordProgress(jobId, { percent: 10, stage: 'denoise' }))?.status).toBe(
      'running',
    );
    const again = await transitions.recordProgress(jobId, { percent: 20, stage: 'denoise' });
    expect(again?.status).toBe('running');
    expect(again?.progressPercent).toBe(20);
    // A report overtaken by a later one (another replica applied it first) does not move the bar back.
    await transitions.recordProgress(jobId, { percent: 90, stage: 'encode' });
    const late = await transitions.recordProgress(jobId, { percent: 60, stage: 'decode' });
    expect(late).toMatchObject({ status: 'running', progressPercent: 90, progressStage: 'encode' });
    const done = await jobIn('succeeded');
    expect(await transitions.recordProgress(done, { percent: 30, stage: 'denoise' })).toBeNull();
    expect((await statusOf(done)).status).toBe('succeeded');
  });

  it('should requeue only the attempt it was given when the reconciler re-enqueues a lost job', async () => {
    jobId = await jobIn('running');
    const { attempt_token: current } = (
      await pool.query(`SELECT attempt_token FROM jobs WHERE id = $1`, [jobId])
    ).rows[0];
    expect(
      await transitions.requeueLostAttempt(jobId, { current: randomUUID(), next: randomUUID() }),
    ).toBeNull();
    const next = randomUUID();
    const requeued = await transitions.requeueLostAttempt(jobId, { current, next });
    expect(requeued).toMatchObject({ status: 'queued', attemptToken: next, attempts: 2 });
    // A queued job whose entry was lost stays queued, under a new attempt again.
    expect(
      (await transitions.requeueLostAttempt(jobId, { current: next, next: randomUUID() }))?.attempts,
    ).toBe(3);
  });

  it('should run inside the caller transaction when given one', async () => {
    jobId = await jobIn('running');
    const db = new Database(pool);
    await expect(
      db.transaction(async (tx) => {
        await transitions.end(jobId, 'failed', { reason: 'boom', gpuSeconds: null, workerId: null }, tx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await statusOf(jobId)).status).toBe('running');
  });

  // The read behind queue estimates and fair-queue charges, on the same fixture (jobs put in place by hand).
  it("should give a model's median render time over its last succeeded jobs, and null before it has any", async () => {
    const repository = new FairDispatchRepository(new Database(pool));
    expect(await repository.recentRenderSeconds('wan-1.3b')).toBeNull();
    for (const [index, seconds] of [100, 40, 60, 3000].entries()) {
      const id = await jobIn('succeeded');
      // The oldest (3000 s) falls outside a sample of three.
      await pool.query(
        `UPDATE jobs SET started_at = now() - make_interval(secs => $2::float8 + $3::float8), finished_at = now() - make_interval(secs => $3::float8)
          WHERE id = $1`,
        [id, seconds, index * 10],
      );
    }
    expect(await repository.recentRenderSeconds('wan-1.3b', 3)).toBeCloseTo(60, 3);
    expect(await repository.recentRenderSeconds('wan-1.3b')).toBeCloseTo(80, 3);
    expect(await repository.recentRenderSeconds('another-model')).toBeNull();
  });
});
