import type { INestApplication } from '@nestjs/common';
import { DEFAULT_MODEL_ID, type VideoJobPayload, workQueueName } from '@cineweave/contracts';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.factory.ts';
import { WORK_EVENTS_GROUP, WorkQueues } from '../src/core/queue/work-queues.ts';
import { SettlementService } from '../src/modules/jobs/settlement/settlement.service.ts';
import { type Harness, checkInvariants, dev, eventually, sleep, startHarness } from './support/harness.ts';
import { openSse } from './support/sse.ts';

const DRAFT = { prompt: 'a kettle coming to the boil', resolution: '640x352', durationSeconds: 1 };
/** Long enough for a second replica to have applied an event too, were it handed one. */
const SETTLE_MS = 1_500;

/**
 * Two API replicas on one Postgres and one Redis, both consuming the default model's work-queue
 * events: every worker lifecycle event must be applied by one of them only, and every SSE
 * subscriber, whichever replica it is connected to, must hear of it once.
 */
describe('state changes enter once', () => {
  let h: Harness;
  let replica: INestApplication;
  let replicaUrl: string;
  let worker: Worker;
  const token = randomUUID();

  beforeAll(async () => {
    h = await startHarness('once');
    // Every UPDATE of a job row, as Postgres ran it (whichever replica or code path sent it).
    await h.db.query(`
      CREATE TABLE test_job_updates (job_id uuid NOT NULL, status text NOT NULL, progress_percent real NOT NULL);
      CREATE FUNCTION test_log_job_update() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      BEGIN
        INSERT INTO test_job_updates VALUES (NEW.id, NEW.status, NEW.progress_percent);
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_log_job_update AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION test_log_job_update();
    `);
    replica = await createApp(h.config, { logs: false });
    await replica.listen(0, '127.0.0.1');
    replicaUrl = `http://127.0.0.1:${((replica.getHttpServer() as Server).address() as AddressInfo).port}`;
    // Both replicas consume the queue, as they do once either has sent to it or found work for it.
    await h.app.get(WorkQueues).watch(DEFAULT_MODEL_ID);
    await replica.get(WorkQueues).watch(DEFAULT_MODEL_ID);
    worker = new Worker(workQueueName(DEFAULT_MODEL_ID), null, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: h.queuePrefix,
      autorun: false,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await replica?.close();
    await h?.close();
  });

  /** A job submitted on the first replica, followed by one subscriber on each replica. */
  async function submitAndFollow(user: string) {
    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(DRAFT).expect(202)
    ).body as { id: string };
    const subscribers = [h.baseUrl, replicaUrl].map((base) =>
      openSse(`${base}/v1/jobs/${job.id}/events`, dev(user)),
    );
    await eventually(async () => subscribers.every((sse) => sse.events.length > 0));
    const taken = await take();
    // `active` applied and heard everywhere before the step under test.
    await eventually(async () =>
      subscribers.every((sse) =>
        sse.events.some((e) => e.event === 'status' && e.data['status'] === 'running'),
      ),
    );
    return { id: job.id, subscribers, taken };
  }

  async function take(): Promise<Job<VideoJobPayload>> {
    return eventually(
      async () =>
        ((await worker.getNextJob(token, { block: false })) as Job<VideoJobPayload> | undefined) ?? false,
    );
  }

  const updatesOf = async (jobId: string) =>
    (await h.db.query(`SELECT status, progress_percent FROM test_job_updates WHERE job_id = $1`, [jobId]))
      .rows as { status: string; progress_percent: number }[];

  it('should store one progress step with one UPDATE and send it once to each subscriber on each replica', async () => {
    const { id, subscribers, taken } = await submitAndFollow('once-progress');
    await h.db.query(`DELETE FROM test_job_updates WHERE job_id = $1`, [id]);

    await taken.updateProgress({ stage: 'denoise', step: 1, totalSteps: 4, percent: 25, etaSeconds: 9 });
    await eventually(async () => subscribers.every((sse) => sse.events.some((e) => e.event === 'progress')));
    await eventually(async () => (await updatesOf(id)).length > 0);
    await sleep(SETTLE_MS);

    expect(await updatesOf(id)).toEqual([{ status: 'running', progress_percent: 25 }]);
    for (const sse of subscribers) {
      expect(sse.events.filter((e) => e.event === 'progress').map((e) => e.data)).toEqual([
        {
          jobId: id,
          stage: 'denoise',
          step: 1,
          totalSteps: 4,
          percent: 25,
          etaSeconds: 9,
          queuePosition: null,
        },
      ]);
    }
    for (const sse of subscribers) sse.close();
    await taken.moveToCompleted('done', token, false);
  });

  it('should settle a job BullMQ gave up on once: one release, one failed event per subscriber', async () => {
    const finishes = [h.app, replica].map((app) => vi.spyOn(app.get(SettlementService), 'finish'));
    try {
      const { id, subscribers, taken } = await submitAndFollow('once-failure');
      // What BullMQ does when a job's worker died too often: it fails the job for good.
      await taken.moveToFailed(new UnrecoverableError('stalled too many times'), token, false);
      await Promise.all(subscribers.map((sse) => sse.done));
      await sleep(SETTLE_MS);

      expect(finishes.reduce((calls, finish) => calls + finish.mock.calls.length, 0)).toBe(1);
      const ledger = await h.db.query(
        `SELECT kind FROM credit_ledger WHERE job_id = $1 ORDER BY created_at`,
        [id],
      );
      expect(ledger.rows.map((row) => row.kind)).toEqual(['reserve', 'release']);
      for (const sse of subscribers) {
        const failed = sse.events.filter((e) => e.event === 'failed');
        expect(failed).toHaveLength(1);
        expect(failed[0].data).toMatchObject({ jobId: id, status: 'failed' });
        expect(failed[0].data['reason']).toContain('stalled too many times');
      }
      await checkInvariants(h.db);
    } finally {
      for (const finish of finishes) finish.mockRestore();
    }
  });

  it('should have spread the events over both replicas, each a member of one consumer group', async () => {
    // A consumer is listed from the first entry delivered to it: both took part in the tests above.
    const consumers = (await h.redis.xinfo(
      'CONSUMERS',
      h.jobsQueue.keys['events'] as string,
      WORK_EVENTS_GROUP,
    )) as unknown[][];
    expect(consumers).toHaveLength(2);
  });
});
