import { TcpProxy } from '@cineweave/test-support';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReconcilerService } from '../src/modules/jobs/dispatch/reconciler.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  sleep,
  startHarness,
} from './support/harness.ts';

/** 640x352 for 1 s: cheap enough that a burst of admissions is mostly 202. */
const SMALL_JOB = { prompt: 'a kite over the dunes', resolution: '640x352', durationSeconds: 1 };
/** How long each outage lasts; long enough for pools to notice, short enough for CI. */
const OUTAGE_MS = Number(process.env.FAULTS_OUTAGE_MS ?? 3_000);
/** Outages of each dependency per run: one in CI; `node bench/api-faults/run.ts --long` runs more. */
const OUTAGES = Number(process.env.FAULTS_OUTAGES ?? 1);

interface Answer {
  status: number;
  at: number;
  retryAfter?: string;
  type?: string;
  id?: string;
}

/**
 * Outages of Postgres and Redis, made by cutting the API's connections through proxies this suite
 * owns (the shared servers are never touched): the process must survive, answer 503 with
 * Retry-After meanwhile, recover on its own and lose nothing it accepted.
 */
describe('faults: dependency outages', () => {
  let h: Harness;
  let postgres: TcpProxy;
  let redis: TcpProxy;
  const uncaught: Error[] = [];
  const onUncaught = (error: Error) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    postgres = await new TcpProxy('127.0.0.1', 5432).start();
    redis = await new TcpProxy('127.0.0.1', 6379).start();
    h = await startHarness(
      'faults',
      // A deep dispatch buffer: "every accepted job reaches the work queue" below, and the late
      // result's worker takes the one job left after a drain. The jobs still pass through the
      // fair dispatcher (its intake, and its rebuild from the outbox after a failed pass).
      { MAX_ACTIVE_JOBS_PER_USER: '1000', DB_POOL_SIZE: '8', DISPATCH_BUFFER_PER_MODEL: '100000' },
      { postgresPort: postgres.port, redisPort: redis.port },
    );
  });
  afterEach(() => {
    postgres.restore();
    redis.restore();
  });
  afterAll(async () => {
    await h?.close();
    await postgres?.close();
    await redis?.close();
    process.off('uncaughtException', onUncaught);
  });

  /** Admissions from `clients` users in a loop until `stop()` says so, every answer kept. */
  function admitInLoop(clients: number, tag: string) {
    const answers: Answer[] = [];
    let running = true;
    const loops = Array.from({ length: clients }, async (_, i) => {
      while (running) {
        const answer = await request(h.server)
          .post('/v1/jobs')
          .set('Authorization', dev(`${tag}-${i}`))
          .timeout(15_000)
          .send(SMALL_JOB)
          .then(
            (r) => ({
              status: r.status,
              at: Date.now(),
              retryAfter: r.headers['retry-after'] as string | undefined,
              type: r.headers['content-type'] as string | undefined,
              id: r.status === 202 ? (r.body.id as string) : undefined,
            }),
            () => ({ status: 0, at: Date.now() }),
          );
        answers.push(answer);
        await sleep(answer.status === 202 ? 20 : 100);
      }
    });
    return {
      answers,
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  async function outage(proxy: TcpProxy, tag: string) {
    const load = admitInLoop(6, tag);
    await sleep(800);
    const cutAt = Date.now();
    proxy.cut();
    await sleep(OUTAGE_MS);
    const restoredAt = Date.now();
    proxy.restore();
    // Recovery: the first admission decided (accepted, or refused for credits) after the
    // connections came back.
    const recovered = await eventually(
      async () => load.answers.find((a) => a.at > restoredAt && (a.status === 202 || a.status === 402))?.at,
      30_000,
    ).catch((error: Error) => {
      const after = load.answers.filter((a) => a.at > restoredAt).map((a) => a.status);
      throw new Error(`${error.message}; answers after restore: ${JSON.stringify(after.slice(-20))}`);
    });
    await load.stop();
    return { answers: load.answers, cutAt, restoredAt, recoverySeconds: (recovered - restoredAt) / 1000 };
  }

  async function expectNothingLost(answers: Answer[]): Promise<void> {
    const accepted = answers.filter((a) => a.id).map((a) => a.id as string);
    expect(accepted.length).toBeGreaterThan(0);
    const found = await h.db.query(`SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[])`, [
      accepted,
    ]);
    expect(found.rows[0].n).toBe(accepted.length);
    // Every accepted job reaches the work queue once the outage is over.
    await eventually(async () => {
      const entries = await Promise.all(accepted.map((id) => h.jobsQueue.getJob(id)));
      return entries.every(Boolean);
    }, 30_000);
    await checkInvariants(h.db);
  }

  it(
    'should survive a Postgres cut under admissions, answer 503 with Retry-After meanwhile and recover',
    async () => {
      for (let i = 0; i < OUTAGES; i++) {
        const run = await outage(postgres, `pgcut${i}`);
        expect(uncaught.map((e) => e.message)).toEqual([]);
        const statuses = new Set(run.answers.map((a) => a.status));
        expect([...statuses].filter((s) => ![202, 402, 503].includes(s))).toEqual([]);
        const unavailable = run.answers.filter((a) => a.status === 503);
        expect(unavailable.length).toBeGreaterThan(0);
        for (const a of unavailable) {
          expect(a.retryAfter).toMatch(/^\d+$/);
          expect(a.type).toContain('application/problem+json');
        }
        console.info(
          `postgres outage ${OUTAGE_MS} ms: recovered ${run.recoverySeconds.toFixed(2)} s after restore`,
        );
        await expectNothingLost(run.answers);
      }
    },
    90_000 * OUTAGES,
  );

  it(
    'should survive a Redis cut under admissions, answer 503 with Retry-After meanwhile and recover',
    async () => {
      for (let i = 0; i < OUTAGES; i++) {
        const run = await outage(redis, `rediscut${i}`);
        expect(uncaught.map((e) => e.message)).toEqual([]);
        const statuses = new Set(run.answers.map((a) => a.status));
        expect([...statuses].filter((s) => ![202, 402, 503].includes(s))).toEqual([]);
        console.info(
          `redis outage ${OUTAGE_MS} ms: recovered ${run.recoverySeconds.toFixed(2)} s after restore`,
        );
        await expectNothingLost(run.answers);
      }
    },
    90_000 * OUTAGES,
  );

  it('should settle a result that arrived while Postgres was down once it is back', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('late-result')).expect(200);
    const created = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev('late-result'))
      .send(SMALL_JOB)
      .expect(202);
    await h.jobsQueue.drain(true);
    const worker = new FakeGpuWorker(h);
    try {
      const job = await worker.take(10_000);
      expect(job.data.jobId).toBe(created.body.id);
      await eventually(async () => {
        const r = await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [created.body.id]);
        return r.rows[0].status === 'running';
      });
      postgres.cut();
      await worker.succeed(job);
      // The API takes the result while Postgres is unreachable.
      await sleep(OUTAGE_MS);
      postgres.restore();
      const restoredAt = Date.now();
      // The reconciler (what the background timer runs) finishes whatever the retries have not.
      const reconciler = h.app.get(ReconcilerService);
      await eventually(async () => {
        await reconciler.reconcile({ graceSeconds: 0 }).catch(() => undefined);
        const r = await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [created.body.id]);
        return r.rows[0].status === 'succeeded';
      }, 40_000);
      const outcomes = await h.db.query(
        `SELECT kind FROM credit_ledger WHERE job_id = $1 AND kind IN ('capture', 'release')`,
        [created.body.id],
      );
      expect(outcomes.rows).toEqual([{ kind: 'capture' }]);
      console.info(
        `late result: settled ${((Date.now() - restoredAt) / 1000).toFixed(2)} s after a ${OUTAGE_MS} ms postgres outage`,
      );
      await checkInvariants(h.db);
      expect(uncaught.map((e) => e.message)).toEqual([]);
    } finally {
      await worker.close();
    }
  }, 90_000);
});
