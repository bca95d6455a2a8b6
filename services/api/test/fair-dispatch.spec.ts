import type { INestApplication } from '@nestjs/common';
import type { QueueStanding } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.factory.ts';
import { FairDispatchRepository } from '../src/modules/dispatch/fair-dispatch.repository.ts';
import { FairDispatcher } from '../src/modules/dispatch/fair-dispatcher.service.ts';
import { ReconcilerService } from '../src/modules/jobs/dispatch/reconciler.service.ts';
import { LedgerRepository } from '../src/modules/ledger/ledger.repository.ts';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';

const DRAFT = { prompt: 'a paper boat in the rain', resolution: '640x352', durationSeconds: 1 };

/** A user's account (a team: its credit pool is the account), with credits for `jobs` jobs. */
async function team(h: Harness, user: string, jobs: number): Promise<string> {
  await request(h.server).get('/v1/credits').set('Authorization', dev(user)).expect(200);
  const { rows } = await h.db.query<{ id: string }>(`SELECT id FROM accounts WHERE user_id = $1`, [user]);
  await h.app
    .get(LedgerRepository, { strict: false })
    .record([{ accountId: rows[0].id, kind: 'grant', amount: jobs * 20, reason: 'fair dispatch test' }]);
  return rows[0].id;
}

async function submit(h: Harness, user: string): Promise<string> {
  const response = await request(h.server)
    .post('/v1/jobs')
    .set('Authorization', dev(user))
    .send(DRAFT)
    .expect(202);
  return (response.body as { id: string }).id;
}

/** A job with a numeric priority comes from a VideoJob (the operator's route). */
async function submitVideoJob(h: Harness, user: string, priority: number): Promise<string> {
  const response = await request(h.server)
    .post('/internal/v1/jobs')
    .set('Authorization', `Bearer ${h.config.env.INTERNAL_TOKEN}`)
    .send({ uid: `vj-${user}-${priority}`, userId: user, spec: { ...DRAFT, priority } })
    .expect(202);
  return (response.body as { id: string }).id;
}

async function standing(h: Harness, user: string, jobId: string): Promise<QueueStanding> {
  const response = await request(h.server)
    .get(`/v1/jobs/${jobId}`)
    .set('Authorization', dev(user))
    .expect(200);
  return (response.body as { queue: QueueStanding }).queue;
}

const outboxRows = async (h: Harness) =>
  (await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`)).rows[0].n;

describe('fair dispatch between teams', () => {
  let h: Harness;
  let worker: FakeGpuWorker;
  const anaJobs: string[] = [];
  let anaHigh: string;
  let benJob: string;

  beforeAll(async () => {
    // One job buffered in BullMQ beyond idle workers (the default), and no worker heartbeats: the
    // fake worker is not counted idle, so exactly one job waits in BullMQ at any time.
    h = await startHarness('fair', { MAX_ACTIVE_JOBS_PER_USER: '1000', DISPATCH_BUFFER_PER_MODEL: '1' });
    worker = new FakeGpuWorker(h);
    await team(h, 'ana', 501);
    await team(h, 'ben', 1);
    for (let i = 0; i < 500; i++) anaJobs.push(await submit(h, 'ana'));
    anaHigh = await submitVideoJob(h, 'ana', 90);
    await h.app.get(FairDispatcher).flush();
    benJob = await submit(h, 'ben');
    await h.app.get(FairDispatcher).flush();
  }, 120_000);
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it('should keep only the buffer in BullMQ and every other admitted job safe in the outbox', async () => {
    const counts = await h.jobsQueue.getJobCounts('waiting', 'prioritized');
    expect(counts['waiting'] + counts['prioritized']).toBe(1);
    expect(await h.jobsQueue.getJob(anaJobs[0])).toBeDefined();
    // Everything not in BullMQ keeps its outbox row: 500 of ana's, and ben's.
    expect(await outboxRows(h)).toBe(501);
    // Prometheus sees that backlog, though BullMQ's own waiting count is the one buffered job.
    const metrics = await request(h.server).get('/metrics').expect(200);
    expect(metrics.text).toContain(`cineweave_fair_queue_held_jobs{queue="${h.jobsQueue.name}"} 501`);
    // The reconciler does not take a job waiting for its team's turn for a lost one.
    const report = await h.app.get(ReconcilerService).reconcile({ graceSeconds: 0 });
    expect(report.requeued).toEqual([]);
  });

  it('should tell a waiting job its place in the fair order, other teams only as counts', async () => {
    // ana's first job is in BullMQ; ben's, a newcomer, goes next, before ana's other 500.
    expect(await standing(h, 'ben', benJob)).toMatchObject({ position: 1, teamJobsAhead: 0, teamsAhead: 1 });
    // ana's high-priority job comes right after ben's; then her normal jobs, first in first out.
    expect(await standing(h, 'ana', anaHigh)).toMatchObject({ position: 2, teamJobsAhead: 1, teamsAhead: 1 });
    const tenth = await standing(h, 'ana', anaJobs[10]);
    expect(tenth).toMatchObject({
      position: 12,
      teamJobsAhead: 11,
      teamsAhead: 1,
      reason: 'ModelUnavailable',
    });
    expect(tenth.message).toContain("12 jobs are ahead of it (11 of your team's, 1 of 1 other team)");
    expect(JSON.stringify(tenth)).not.toContain('ben');
  });

  it('should give the next free worker the newcomer team’s job, at most one of the big team’s before it', async () => {
    const taken: string[] = [];
    for (let i = 0; i < 12; i++) taken.push((await worker.take()).data.jobId);
    // ana's first job was already buffered when ben submitted: the one job of ana's it waits behind.
    expect(taken.indexOf(benJob)).toBeLessThanOrEqual(1);
    expect(taken).toEqual([anaJobs[0], benJob, anaHigh, ...anaJobs.slice(1, 10)]);
    await checkInvariants(h.db);
  });

  it('should share by plan weight: an enterprise team (weight 8) gets eight jobs to a free team’s one', async () => {
    const cy = await team(h, 'cy', 40);
    await h.db.query(`UPDATE accounts SET plan_id = 'enterprise' WHERE id = $1`, [cy]);
    const cyJobs: string[] = [];
    for (let i = 0; i < 40; i++) cyJobs.push(await submit(h, 'cy'));
    // Weights are read when a team is first seen; cy is new to the dispatcher.
    await h.app.get(FairDispatcher).flush();
    const taken: string[] = [];
    for (let i = 0; i < 26; i++) taken.push((await worker.take()).data.jobId);
    // The first take is the job buffered before cy arrived; then eight of cy's to one of ana's
    // (25 picks: 8 + 1 + 8 + 1 + 7), within one job of each team's either way.
    const cyShare = taken.slice(1).filter((id) => cyJobs.includes(id)).length;
    expect(cyShare).toBeGreaterThanOrEqual(22);
    expect(cyShare).toBeLessThanOrEqual(24);
    // Within each team, first in first out.
    const cyTaken = taken.filter((id) => cyJobs.includes(id));
    expect(cyTaken).toEqual(cyJobs.slice(0, cyTaken.length));
    const anaTaken = taken.filter((id) => anaJobs.includes(id));
    expect(anaTaken).toEqual(anaJobs.slice(10, 10 + anaTaken.length));
  });
});

describe('fair dispatch across a restart', () => {
  let h: Harness;
  let worker: FakeGpuWorker;
  let replica: INestApplication | undefined;

  beforeAll(async () => {
    h = await startHarness('fairrestart', { MAX_ACTIVE_JOBS_PER_USER: '100' });
    worker = new FakeGpuWorker(h);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await worker?.close();
    await replica?.close();
    await h?.close();
  });

  it('should rebuild from Postgres in a new instance, losing no job and sending none twice', async () => {
    const jobs: string[] = [];
    for (const user of ['dee', 'eli', 'fay']) {
      await team(h, user, 10);
      for (let i = 0; i < 10; i++) jobs.push(await submit(h, user));
    }
    const dispatcher = h.app.get(FairDispatcher);
    await dispatcher.flush();
    const taken: string[] = [];
    for (let i = 0; i < 5; i++) taken.push((await worker.take()).data.jobId);

    // The dispatcher dies between putting a job in BullMQ and deleting its outbox row.
    const release = vi
      .spyOn(h.app.get(FairDispatchRepository), 'release')
      .mockRejectedValueOnce(new Error('Postgres went away'));
    taken.push((await worker.take()).data.jobId);
    await eventually(async () => release.mock.calls.length > 0 && !!(await h.jobsQueue.getWaitingCount()));
    release.mockRestore();
    // ... and a new API instance takes over the lock, rebuilding its queues from the outbox.
    await dispatcher.beforeApplicationShutdown();
    replica = await createApp(h.config, { logs: false });
    await replica.listen(0, '127.0.0.1');
    const successor = replica.get(FairDispatcher);
    await successor.flush();
    expect(successor.isLeading).toBe(true);
    await dispatcher.flush();
    expect(dispatcher.isLeading).toBe(false);

    for (;;) {
      const next = await worker.take(1_500).catch(() => undefined);
      if (!next) break;
      taken.push(next.data.jobId);
    }
    expect([...taken].sort()).toEqual([...jobs].sort());
    expect(new Set(taken).size).toBe(taken.length);
    expect(await outboxRows(h)).toBe(0);
    await checkInvariants(h.db);
  }, 60_000);
});
