import {
  DEFAULT_MODEL_CATALOG,
  DEFAULT_MODEL_ID,
  JOB_NAMES,
  QUEUE_NAMES,
  generateJobOptions,
  workQueueName,
} from '@cineweave/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkQueues } from '../src/core/queue/work-queues.ts';
import { LegacyQueueMigration } from '../src/modules/jobs/dispatch/legacy-queue-migration.service.ts';
import { ReconcilerService } from '../src/modules/jobs/dispatch/reconciler.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';

const OTHER_MODEL = 'wan2.2-tiny-test';
/** In the install's catalog, served by no worker of this test. */
const UNSERVED_MODEL = 'wan2.2-nobody-serves';
const DRAFT = { prompt: 'a kite over the dunes', resolution: '640x352', durationSeconds: 1 };
const connection = { host: '127.0.0.1', port: 6379 };

describe('per-model work queues', () => {
  let h: Harness;
  let defaultWorker: FakeGpuWorker;
  let otherWorker: FakeGpuWorker;
  let legacy: Queue;

  beforeAll(async () => {
    const catalogFile = join(mkdtempSync(join(tmpdir(), 'cineweave-catalog-')), 'models.json');
    writeFileSync(catalogFile, JSON.stringify([{ ...DEFAULT_MODEL_CATALOG[0], id: UNSERVED_MODEL }]));
    h = await startHarness('permodel', { MAX_ACTIVE_JOBS_PER_USER: '20', MODEL_CATALOG_FILE: catalogFile });
    defaultWorker = new FakeGpuWorker(h, DEFAULT_MODEL_ID);
    otherWorker = new FakeGpuWorker(h, OTHER_MODEL);
    legacy = new Queue(QUEUE_NAMES.videoJobs, { connection, prefix: h.queuePrefix });
  });
  afterAll(async () => {
    await defaultWorker?.close();
    await otherWorker?.close();
    await legacy?.close();
    await h?.close();
  });

  const createJob = async (user: string, model?: string): Promise<{ id: string; status: string }> =>
    (
      await request(h.server)
        .post('/v1/jobs')
        .set('Authorization', dev(user))
        .send(model ? { ...DRAFT, model } : DRAFT)
        .expect(202)
    ).body;

  const getJob = async (user: string, id: string) =>
    (await request(h.server).get(`/v1/jobs/${id}`).set('Authorization', dev(user)).expect(200)).body as {
      status: string;
      model: string;
    };

  it('should put each job on its model queue, where only that model’s worker takes it', async () => {
    const a = await createJob('mia');
    const b = await createJob('mia', OTHER_MODEL);
    const queueOther = h.app.get(WorkQueues).forModel(OTHER_MODEL);
    await eventually(async () => (await queueOther.getJob(b.id)) !== undefined);
    expect(queueOther.name).toBe(workQueueName(OTHER_MODEL));
    expect(await h.jobsQueue.getJob(b.id)).toBeUndefined();
    expect(await queueOther.getJob(a.id)).toBeUndefined();

    const takenByDefault = await defaultWorker.take();
    expect(takenByDefault.data).toMatchObject({ jobId: a.id, model: DEFAULT_MODEL_ID });
    // The default model's worker finds nothing else: the other model's job is not its to take.
    await expect(defaultWorker.take(500)).rejects.toThrow('No job reached the work queue');
    const takenByOther = await otherWorker.take();
    expect(takenByOther.data).toMatchObject({ jobId: b.id, model: OTHER_MODEL });

    await eventually(async () => (await getJob('mia', b.id)).status === 'running');
    await defaultWorker.succeed(takenByDefault);
    await otherWorker.succeed(takenByOther);
    await eventually(async () => (await getJob('mia', a.id)).status === 'succeeded');
    await eventually(async () => (await getJob('mia', b.id)).status === 'succeeded');
    await checkInvariants(h.db);
  });

  it('should keep a job of a model no worker serves queued, in line, and cancellable', async () => {
    const lonely = await createJob('noa', UNSERVED_MODEL);
    await eventually(
      async () => (await h.app.get(WorkQueues).forModel(UNSERVED_MODEL).getJob(lonely.id)) !== undefined,
    );
    await expect(defaultWorker.take(500)).rejects.toThrow();
    await expect(otherWorker.take(500)).rejects.toThrow();
    const view = await getJob('noa', lonely.id);
    // Visible as such: it waits because no worker serves its model, not because of the line.
    expect(view).toMatchObject({
      status: 'queued',
      model: UNSERVED_MODEL,
      queue: { position: 0, reason: 'ModelUnavailable' },
    });
    const stats = await request(h.server)
      .get('/internal/v1/queues/stats')
      .set('Authorization', `Bearer ${h.config.env.INTERNAL_TOKEN}`)
      .expect(200);
    expect(stats.body.models).toContainEqual({ model: UNSERVED_MODEL, waiting: 1, active: 0 });

    await request(h.server).post(`/v1/jobs/${lonely.id}/cancel`).set('Authorization', dev('noa')).expect(200);
    expect(await h.app.get(WorkQueues).forModel(UNSERVED_MODEL).getJob(lonely.id)).toBeUndefined();
    await checkInvariants(h.db);
  });

  it('should move jobs queued in the old single queue before the upgrade to their model queues, once', async () => {
    // The Redis state a release with one `video-jobs` queue left behind: two waiting jobs (one
    // per model) and one whose job was cancelled since.
    const queues = h.app.get(WorkQueues);
    const jobs = [await createJob('olga'), await createJob('olga', OTHER_MODEL), await createJob('olga')];
    for (const job of jobs) {
      const model = (await getJob('olga', job.id)).model;
      const queue = queues.forModel(model);
      await eventually(async () => (await queue.getJob(job.id)) !== undefined);
      const entry = await queue.getJob(job.id);
      if (!entry) throw new Error(`Job ${job.id} left its queue`);
      await queue.remove(job.id);
      await legacy.add(JOB_NAMES.generate, entry.data, generateJobOptions({ id: job.id, priority: 50 }));
    }
    await request(h.server)
      .post(`/v1/jobs/${jobs[2].id}/cancel`)
      .set('Authorization', dev('olga'))
      .expect(200);

    // Two replicas starting at once: each entry is moved by exactly one of them.
    const migration = h.app.get(LegacyQueueMigration);
    const [first, second] = await Promise.all([migration.migrate(), migration.migrate()]);
    expect([...first.moved, ...second.moved].sort()).toEqual([jobs[0].id, jobs[1].id].sort());
    expect([...first.dropped, ...second.dropped]).toEqual([jobs[2].id]);
    expect(await legacy.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual({
      waiting: 0,
      prioritized: 0,
      delayed: 0,
    });
    // Again (the next start, or the reconciler's pass): nothing left to do.
    expect(await migration.migrate()).toEqual({ moved: [], dropped: [] });

    const took = [await defaultWorker.take(), await otherWorker.take()];
    expect(took.map((job) => job.data.jobId)).toEqual([jobs[0].id, jobs[1].id]);
    await defaultWorker.succeed(took[0]);
    await otherWorker.succeed(took[1]);
    await eventually(async () => (await getJob('olga', jobs[1].id)).status === 'succeeded');
    await eventually(async () => (await getJob('olga', jobs[0].id)).status === 'succeeded');
    // The reconciler finds every job where it belongs and re-enqueues none of them.
    const report = await h.app.get(ReconcilerService).reconcile({ graceSeconds: 0 });
    expect(report.requeued).toEqual([]);
    await checkInvariants(h.db);
  });

  it('should re-enqueue a job whose entry vanished into its own model queue', async () => {
    const job = await createJob('pia', OTHER_MODEL);
    const queue = h.app.get(WorkQueues).forModel(OTHER_MODEL);
    await eventually(async () => (await queue.getJob(job.id)) !== undefined);
    await queue.remove(job.id);
    const report = await h.app.get(ReconcilerService).reconcile({ graceSeconds: 0 });
    expect(report.requeued).toEqual([job.id]);
    const taken = await otherWorker.take();
    expect(taken.data.jobId).toBe(job.id);
    await otherWorker.succeed(taken);
    await eventually(async () => (await getJob('pia', job.id)).status === 'succeeded');
    await checkInvariants(h.db);
  });
});
