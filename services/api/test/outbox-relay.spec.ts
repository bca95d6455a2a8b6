import { DEFAULT_MODEL_ID } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkQueues } from '../src/core/queue/work-queues.ts';
import { OutboxRelay } from '../src/modules/jobs/dispatch/outbox-relay.service.ts';
import { type Harness, checkInvariants, dev, eventually, startHarness } from './support/harness.ts';

const DRAFT = { prompt: 'a lighthouse at dusk', resolution: '640x352', durationSeconds: 1 };

describe('outbox relay', () => {
  let h: Harness;
  beforeAll(async () => {
    // A long poll interval: the test decides when the relay runs after the failure. A deep
    // dispatch buffer: these cases are about the hand-over to BullMQ, which the fair dispatcher
    // otherwise holds back while a job already waits there for a worker (fair-dispatch.spec.ts).
    h = await startHarness('relay', { OUTBOX_POLL_MS: '600000', DISPATCH_BUFFER_PER_MODEL: '100' });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.close();
  });

  const pending = async (jobId: string) =>
    (await h.db.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id = $1`, [jobId])).rows[0]
      .n as number;

  it('should keep the outbox row when Redis refuses the job, and send it on the next pass', async () => {
    const queue = h.app.get(WorkQueues).forModel(DEFAULT_MODEL_ID);
    const addBulk = vi.spyOn(queue, 'addBulk').mockRejectedValue(new Error('Redis is away'));

    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev('rita')).send(DRAFT).expect(202)
    ).body as { id: string };
    await eventually(async () => addBulk.mock.calls.length > 0);
    const relay = h.app.get(OutboxRelay);
    await expect(relay.flush()).rejects.toThrow('Redis is away');
    expect(await pending(job.id)).toBe(1);
    expect(await h.jobsQueue.getJob(job.id)).toBeUndefined();

    addBulk.mockRestore();
    await relay.flush();
    expect(await pending(job.id)).toBe(0);
    const entry = await h.jobsQueue.getJob(job.id);
    expect(entry?.data).toMatchObject({ jobId: job.id, prompt: DRAFT.prompt });
    await checkInvariants(h.db);
  });

  it('should not send a job cancelled before its row was relayed, and still clear the row', async () => {
    const queue = h.app.get(WorkQueues).forModel(DEFAULT_MODEL_ID);
    const addBulk = vi.spyOn(queue, 'addBulk').mockRejectedValue(new Error('Redis is away'));
    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev('sam')).send(DRAFT).expect(202)
    ).body as { id: string };
    await eventually(async () => addBulk.mock.calls.length > 0);
    addBulk.mockRestore();
    await request(h.server).post(`/v1/jobs/${job.id}/cancel`).set('Authorization', dev('sam')).expect(200);

    await h.app.get(OutboxRelay).flush();
    expect(await pending(job.id)).toBe(0);
    expect(await h.jobsQueue.getJob(job.id)).toBeUndefined();
    await checkInvariants(h.db);
  });

  it('should take back a job cancelled between the claim of its row and its add to the queue', async () => {
    const queue = h.app.get(WorkQueues).forModel(DEFAULT_MODEL_ID);
    const addBulk = queue.addBulk.bind(queue);
    let cancelled: Promise<unknown> | undefined;
    // The cancel commits after the relay read the job as queued and removes a queue entry that
    // does not exist yet; only then does the relay's add reach Redis.
    const spy = vi.spyOn(queue, 'addBulk').mockImplementation(async (jobs) => {
      const jobId = jobs[0]?.opts?.jobId;
      cancelled ??= request(h.server).post(`/v1/jobs/${jobId}/cancel`).set('Authorization', dev('tess'));
      await cancelled;
      return addBulk(jobs);
    });
    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev('tess')).send(DRAFT).expect(202)
    ).body as { id: string };
    await eventually(async () => spy.mock.calls.length > 0);
    await h.app.get(OutboxRelay).flush();
    spy.mockRestore();

    expect((await cancelled)?.valueOf()).toMatchObject({ status: 200 });
    expect(await pending(job.id)).toBe(0);
    expect(await h.jobsQueue.getJob(job.id)).toBeUndefined();
    await checkInvariants(h.db);
  });
});
