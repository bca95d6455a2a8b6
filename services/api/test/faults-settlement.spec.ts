import { DEFAULT_MODEL_ID, workQueueName } from '@cineweave/contracts';
import { Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReconcilerService } from '../src/modules/jobs/dispatch/reconciler.service.ts';
import { type Harness, checkInvariants, dev, eventually, sleep, startHarness } from './support/harness.ts';

const SMALL_JOB = { prompt: 'a heron in the reeds', resolution: '640x352', durationSeconds: 1 };
/** Admission + grant rounds per account in the storm; CI keeps it short, bench/api-faults goes long. */
const STORM_ROUNDS = Number(process.env.FAULTS_STORM_ROUNDS ?? 40);
const STORM_ACCOUNTS = 8;

/**
 * Faults at settlement: a job whose workers keep dying, and admissions racing grants near the
 * credit limit. Every job must end exactly once and every answer be a decision, never a 500.
 */
describe('faults: settlement and admission races', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('faults_settle', { MAX_ACTIVE_JOBS_PER_USER: '100000', DB_POOL_SIZE: '12' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should fail and release a job whose worker died three times', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('thrice')).expect(200);
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('thrice'))
      .send(SMALL_JOB)
      .expect(202);
    const connection = { host: '127.0.0.1', port: 6379 };
    // A worker that takes the job and then dies: it never renews the lock (as after a SIGKILL).
    const dying = new Worker(workQueueName(DEFAULT_MODEL_ID), null, {
      connection,
      prefix: h.queuePrefix,
      autorun: false,
      lockDuration: 600,
      maxStalledCount: 2,
    });
    // Another live worker's stalled-job check, with the real worker's maxStalledCount.
    const checker = new Worker(workQueueName(DEFAULT_MODEL_ID), null, {
      connection,
      prefix: h.queuePrefix,
      autorun: false,
      stalledInterval: 300,
      maxStalledCount: 2,
    });
    let live: Worker | undefined;
    try {
      await eventually(async () => Boolean(await h.jobsQueue.getJob(created.body.id)));
      void checker.startStalledCheckTimer();
      for (let death = 1; death <= 3; death++) {
        const taken = await eventually(async () => dying.getNextJob(randomUUID(), { block: false }), 15_000);
        expect(taken.id).toBe(created.body.id);
      }
      // The next worker to take it finds it stalled past the limit: BullMQ fails it unprocessed.
      await eventually(async () => (await h.jobsQueue.getJob(created.body.id))?.stalledCounter === 3, 15_000);
      live = new Worker(
        workQueueName(DEFAULT_MODEL_ID),
        async (): Promise<void> => {
          throw new Error('a job stalled past the limit must not be rendered again');
        },
        { connection, prefix: h.queuePrefix, maxStalledCount: 2 },
      );
      const entry = await eventually(async () => {
        const job = await h.jobsQueue.getJob(created.body.id);
        return job && (await job.getState()) === 'failed' ? job : undefined;
      }, 15_000);
      // What made the API skip it: BullMQ's counters say attempts are left.
      expect(entry.attemptsMade).toBeLessThan(entry.opts.attempts ?? 1);

      // The failed event (or, had it been missed, the reconciler) ends the job and releases.
      const reconciler = h.app.get(ReconcilerService);
      await eventually(async () => {
        const r = await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [created.body.id]);
        if (r.rows[0].status === 'failed') return true;
        await sleep(500);
        await reconciler.reconcile({ graceSeconds: 0 });
        return false;
      }, 15_000);
      const credits = await request(h.server)
        .get('/v1/credits')
        .set('Authorization', dev('thrice'))
        .expect(200);
      expect(credits.body.reserved).toBe(0);
      await checkInvariants(h.db);
    } finally {
      await Promise.allSettled([dying.close(true), checker.close(true), live?.close(true)]);
    }
  }, 60_000);

  it('should answer only 202 or 402 when admissions race grants near the credit limit', async () => {
    const users = Array.from({ length: STORM_ACCOUNTS }, (_, i) => `storm-${i}`);
    for (const user of users) {
      await request(h.server).post('/v1/users/init').set('Authorization', dev(user)).expect(200);
    }
    const price = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev(users[0])).send(SMALL_JOB).expect(202)
    ).body.creditsReserved as number;
    expect(price).toBeGreaterThan(0);

    // Each account starts with just one job's worth of credits available.
    for (const user of users) {
      const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
      const excess = (credits.body.available as number) - price;
      if (excess > 0) {
        await request(h.server)
          .post('/v1/admin/credits/grant')
          .set('Authorization', dev('root-admin', true))
          .send({ userId: user, amount: -excess, reason: 'start near the limit' })
          .expect(200);
      }
    }
    const admissionStatuses: Record<number, number> = {};
    const grantStatuses: Record<number, number> = {};
    const count = (tally: Record<number, number>, status: number) =>
      (tally[status] = (tally[status] ?? 0) + 1);
    await Promise.all(
      users.map(async (user) => {
        for (let round = 0; round < STORM_ROUNDS; round++) {
          // Two storms on one account: admissions spending to the limit, grants moving it.
          const amount = round % 3 === 2 ? -price : price;
          const [admission, grant] = await Promise.all([
            request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(SMALL_JOB),
            request(h.server)
              .post('/v1/admin/credits/grant')
              .set('Authorization', dev('root-admin', true))
              .send({ userId: user, amount, reason: 'storm' }),
          ]);
          count(admissionStatuses, admission.status);
          count(grantStatuses, grant.status);
        }
      }),
    );
    console.info(
      `admission storm: admissions ${JSON.stringify(admissionStatuses)}, grants ${JSON.stringify(grantStatuses)}`,
    );
    expect(Object.keys(admissionStatuses).filter((s) => s !== '202' && s !== '402')).toEqual([]);
    expect(Object.keys(grantStatuses).filter((s) => Number(s) >= 500)).toEqual([]);
    await checkInvariants(h.db);
  }, 120_000);
});
