import { DEFAULT_MODEL_ID } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairDispatcher } from '../src/modules/dispatch/fair-dispatcher.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';

/** 1280x704 for 1 s: 10 credits, so the free grant of 100 covers exactly 10 jobs. */
const TEN_CREDITS = { prompt: 'a lighthouse in a storm', resolution: '1280x704', durationSeconds: 1 };

describe('concurrency', () => {
  let h: Harness;

  beforeAll(async () => {
    // The active-job limit is raised so that only credits decide admission.
    h = await startHarness('conc', { MAX_ACTIVE_JOBS_PER_USER: '1000', DB_POOL_SIZE: '20' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should accept exactly 10 of 200 simultaneous jobs when the balance covers 10', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('racer')).expect(200);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        request(h.server).post('/v1/jobs').set('Authorization', dev('racer')).send(TEN_CREDITS),
      ),
    );
    const byStatus = answers.reduce<Record<number, number>>(
      (acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }),
      {},
    );
    expect(byStatus).toEqual({ 202: 10, 402: 190 });
    for (const refused of answers.filter((a) => a.status === 402)) {
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.code).toBe('INSUFFICIENT_CREDITS');
    }
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev('racer')).expect(200);
    expect(credits.body).toEqual({ balance: 100, reserved: 100, available: 0, plan: 'free' });
    await checkInvariants(h.db);
    // Every admitted job reaches the fair dispatcher through the outbox, exactly once: one waits
    // in BullMQ for a worker (the buffer), the other nine in the model's fair queue, rows kept.
    const dispatcher = h.app.get(FairDispatcher);
    await eventually(async () => {
      await dispatcher.flush();
      const counts = await h.jobsQueue.getJobCounts('prioritized', 'waiting');
      return counts.prioritized + counts.waiting === 1 && dispatcher.waitingOf(DEFAULT_MODEL_ID) === 9;
    });
    const rows = await h.db.query(`SELECT count(DISTINCT job_id)::int AS n FROM outbox`);
    expect(rows.rows[0].n).toBe(9);
    await h.jobsQueue.drain(true);
  });

  it('should create one job and one reserve when 50 requests share an Idempotency-Key', async () => {
    const body = { ...TEN_CREDITS, resolution: '640x352' };
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        request(h.server)
          .post('/v1/jobs')
          .set('Authorization', dev('twin'))
          .set('Idempotency-Key', 'same-key-1')
          .send(body),
      ),
    );
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].every((s) => s === 202 || s === 409)).toBe(true);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    for (const busy of answers.filter((a) => a.status === 409))
      expect(busy.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');

    const jobs = await h.db.query(`SELECT id FROM jobs WHERE user_id = 'twin'`);
    expect(jobs.rows).toHaveLength(1);
    const reserves = await h.db.query(
      `SELECT count(*)::int AS n FROM credit_ledger WHERE kind = 'reserve' AND job_id = $1`,
      [jobs.rows[0].id],
    );
    expect(reserves.rows[0].n).toBe(1);

    const replay = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('twin'))
      .set('Idempotency-Key', 'same-key-1')
      .send({ durationSeconds: 1, resolution: '640x352', prompt: TEN_CREDITS.prompt })
      .expect(202);
    expect(replay.body.id).toBe(jobs.rows[0].id);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const reused = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('twin'))
      .set('Idempotency-Key', 'same-key-1')
      .send({ ...body, prompt: 'something else' })
      .expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // Keys are scoped per user: another user's same key is a new request.
    await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('other-twin'))
      .set('Idempotency-Key', 'same-key-1')
      .send(body)
      .expect(202);
    await checkInvariants(h.db);
    await h.jobsQueue.drain(true);
  });

  it('should settle once when 20 successes, 20 failures and 5 cancels race for one job', async () => {
    const worker = new FakeGpuWorker(h);
    try {
      const job = (
        await request(h.server)
          .post('/v1/jobs')
          .set('Authorization', dev('settler'))
          .send(TEN_CREDITS)
          .expect(202)
      ).body;
      // Jobs of the earlier tests may still be on their way from the outbox: take until ours comes.
      let taken = await worker.take();
      while (taken.id !== job.id) taken = await worker.take();
      expect(taken.id).toBe(job.id);
      await eventually(
        async () =>
          (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status === 'running',
      );
      const base = { jobId: job.id, attemptToken: taken.data.attemptToken, gpuSeconds: 5 };
      await Promise.all([
        ...Array.from({ length: 20 }, () =>
          worker.report({
            ...base,
            outcome: 'succeeded',
            videoKey: 'outputs/x/video.mp4',
            thumbnailKey: 'outputs/x/thumbnail.webp',
            durationSeconds: 1,
            frames: 25,
            modelHash: 'sha256:x',
          }),
        ),
        ...Array.from({ length: 20 }, () =>
          worker.report({ ...base, outcome: 'failed', reason: 'GPU fell off the bus' }),
        ),
        ...Array.from({ length: 5 }, () =>
          request(h.server).post(`/v1/jobs/${job.id}/cancel`).set('Authorization', dev('settler')),
        ),
      ]);
      await eventually(async () => {
        const counts = await h.resultsQueue.getJobCounts('waiting', 'active');
        return counts.waiting === 0 && counts.active === 0;
      });
      const outcomes = await h.db.query(
        `SELECT kind FROM credit_ledger WHERE job_id = $1 AND kind IN ('capture', 'release')`,
        [job.id],
      );
      expect(outcomes.rows).toHaveLength(1);
      const final = await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id]);
      expect(['succeeded', 'failed']).toContain(final.rows[0].status);
      expect(outcomes.rows[0].kind).toBe(final.rows[0].status === 'succeeded' ? 'capture' : 'release');
      await checkInvariants(h.db);
    } finally {
      await worker.close();
    }
  });
});
