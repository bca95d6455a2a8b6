import { cancelSignalKey } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageService } from '../src/core/storage/storage.service.ts';
import { ReconcilerService } from '../src/modules/jobs/dispatch/reconciler.service.ts';
import { RetentionService } from '../src/modules/retention/retention.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  checkInvariants,
  dev,
  eventually,
  sleep,
  startHarness,
} from './support/harness.ts';
import { openSse } from './support/sse.ts';

const DRAFT = { prompt: 'a paper boat on a rainy street', resolution: '640x352', durationSeconds: 1 };

describe('job lifecycle', () => {
  let h: Harness;
  let worker: FakeGpuWorker;

  beforeAll(async () => {
    // A deep dispatch buffer: these cases empty BullMQ between them (drainQueue) so that no job is
    // left for the next one's take(). With the default shallow buffer, jobs earlier cases left
    // queued would wait in the fair queue and reach BullMQ after the drain (fair-dispatch.spec.ts
    // covers the shallow queue).
    h = await startHarness('life', { MAX_ACTIVE_JOBS_PER_USER: '3', DISPATCH_BUFFER_PER_MODEL: '1000' });
    worker = new FakeGpuWorker(h);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  const createJob = (user: string, body: object = DRAFT) =>
    request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(body);

  const drainQueue = async () => {
    // Leave no job for the next test's `take()`.
    await h.jobsQueue.drain(true);
  };

  it('should create the account with the free grant once when users/init is called twice', async () => {
    const first = await request(h.server)
      .post('/v1/users/init')
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(first.body.created).toBe(true);
    const second = await request(h.server)
      .post('/v1/users/init')
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(second.body.created).toBe(false);
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev('alice')).expect(200);
    expect(credits.body).toEqual({ balance: 100, reserved: 0, available: 100, plan: 'free' });
  });

  it('should stream status, progress and completed and capture the credits when a job succeeds', async () => {
    const created = await createJob('alice').expect(202);
    const job = created.body;
    expect(job).toMatchObject({
      status: 'queued',
      creditsReserved: 3,
      resolution: '640x352',
      durationSeconds: 1,
      fps: 24,
    });
    expect(job.seed).toEqual(expect.any(Number));

    const sse = openSse(`${h.baseUrl}/v1/jobs/${job.id}/events`, dev('alice'));
    await eventually(async () => sse.events.length > 0);
    const taken = await worker.take();
    expect(taken.id).toBe(job.id);
    expect(taken.data).toMatchObject({ jobId: job.id, seed: job.seed, prompt: DRAFT.prompt });
    await eventually(async () =>
      sse.events.some((e) => e.event === 'status' && e.data['status'] === 'running'),
    );
    for (let step = 1; step <= 3; step++) await worker.progress(taken, step, 3);
    await eventually(async () => sse.events.filter((e) => e.event === 'progress').length === 3);
    await worker.succeed(taken);
    const events = await sse.done;

    const names = events.map((e) => e.event);
    expect(names[0]).toBe('status');
    expect(names.indexOf('progress')).toBeGreaterThan(names.indexOf('status'));
    expect(names.at(-1)).toBe('completed');
    expect(events.find((e) => e.event === 'progress')?.data).toMatchObject({ step: 1, totalSteps: 3 });
    expect(events.at(-1)?.data).toMatchObject({ status: 'succeeded', creditsCharged: 3 });

    const done = await request(h.server)
      .get(`/v1/jobs/${job.id}`)
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(done.body).toMatchObject({
      status: 'succeeded',
      creditsCharged: 3,
      gpuSeconds: 42,
      progress: 100,
    });
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev('alice')).expect(200);
    expect(credits.body).toMatchObject({ balance: 97, reserved: 0, available: 97 });

    const video = await request(h.server)
      .get(`/v1/jobs/${job.id}/video`)
      .set('Authorization', dev('alice'))
      .expect(302);
    expect(video.headers['location']).toContain(`outputs/`);
    expect(video.headers['location']).toContain('X-Amz-Expires=900');
    // A media element cannot send the bearer token: the portal asks for the link as JSON instead.
    const link = await request(h.server)
      .get(`/v1/jobs/${job.id}/thumbnail`)
      .set('Authorization', dev('alice'))
      .set('Accept', 'application/json')
      .expect(200);
    expect(link.body.url).toContain('thumbnail.webp');
    expect(link.body.url).toContain('X-Amz-Signature=');

    // The store is another origin than the portal: the download link itself says "save as".
    const { video_key: videoKey } = (await h.db.query(`SELECT video_key FROM jobs WHERE id = $1`, [job.id]))
      .rows[0] as { video_key: string };
    await h.app.get(StorageService).put(videoKey, Buffer.from('not really an mp4'), 'video/mp4');
    const download = await request(h.server)
      .get(`/v1/jobs/${job.id}/video?download=1`)
      .set('Authorization', dev('alice'))
      .set('Accept', 'application/json')
      .expect(200);
    const saved = await fetch(download.body.url as string);
    expect(saved.status).toBe(200);
    expect(saved.headers.get('content-disposition')).toBe(
      `attachment; filename="cineweave-${job.id.slice(0, 8)}.mp4"`,
    );
    const playLink = await request(h.server)
      .get(`/v1/jobs/${job.id}/video`)
      .set('Authorization', dev('alice'))
      .set('Accept', 'application/json')
      .expect(200);
    const played = await fetch(playLink.body.url as string);
    expect(played.status).toBe(200);
    expect(played.headers.get('content-disposition')).toBeNull();
    await request(h.server)
      .get(`/v1/jobs/${job.id}/video?download=yes`)
      .set('Authorization', dev('alice'))
      .expect(400);
    await checkInvariants(h.db);
  });

  it('should count created and finished jobs and captured credits when metrics are scraped', async () => {
    const metrics = (await request(h.server).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/cineweave_jobs_created_total\{model="wan2.2-ti2v-5b",source="api"\} [1-9]/);
    expect(metrics).toMatch(/cineweave_jobs_finished_total\{status="succeeded"\} [1-9]/);
    expect(metrics).toMatch(/cineweave_credits_captured_total [1-9]/);
    expect(metrics).toMatch(/cineweave_gpu_seconds_total\{model="wan2.2-ti2v-5b"\} 42/);
    expect(metrics).toMatch(
      /cineweave_http_request_duration_seconds_count\{method="POST",route="\/v1\/jobs",status="202"\} [1-9]/,
    );
    expect(metrics).toMatch(/cineweave_outbox_lag_seconds \d/);
  });

  it('should send a late subscriber the current state first when the job already finished', async () => {
    const list = await request(h.server).get('/v1/jobs').set('Authorization', dev('alice')).expect(200);
    const finished = list.body.items.find((j: { status: string }) => j.status === 'succeeded');
    const events = await openSse(`${h.baseUrl}/v1/jobs/${finished.id}/events`, dev('alice')).done;
    expect(events.map((e) => e.event)).toEqual(['status', 'completed']);
  });

  it('should page the ledger and the job list newest first when a cursor is followed', async () => {
    const first = await request(h.server)
      .get('/v1/credits/ledger?limit=2')
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(first.body.items.map((e: { kind: string }) => e.kind)).toEqual(['capture', 'reserve']);
    const second = await request(h.server)
      .get(`/v1/credits/ledger?limit=2&cursor=${first.body.nextCursor}`)
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(second.body).toEqual({
      items: [expect.objectContaining({ kind: 'grant', amount: 100 })],
      nextCursor: null,
    });
    const jobs = await request(h.server)
      .get('/v1/jobs?status=succeeded&limit=1')
      .set('Authorization', dev('alice'))
      .expect(200);
    expect(jobs.body.items).toHaveLength(1);
    expect(jobs.body.nextCursor).toBeNull();
  });

  it("should count a waiting job's queue position down on its stream when a job ahead leaves the queue", async () => {
    const ahead = (await createJob('quinn').expect(202)).body;
    const waiting = (await createJob('ruth').expect(202)).body;
    const sse = openSse(`${h.baseUrl}/v1/jobs/${waiting.id}/events`, dev('ruth'));
    await eventually(async () => sse.events.length > 0);
    const first = sse.events[0].data['queuePosition'] as number;
    expect(first).toBeGreaterThanOrEqual(1);

    await request(h.server)
      .post(`/v1/jobs/${ahead.id}/cancel`)
      .set('Authorization', dev('quinn'))
      .expect(200);
    const moved = await eventually(async () =>
      sse.events.find((event) => event.event === 'status' && event.data['queuePosition'] === first - 1),
    );
    expect(moved.data).toMatchObject({ jobId: waiting.id, status: 'queued' });
    sse.close();
    await request(h.server)
      .post(`/v1/jobs/${waiting.id}/cancel`)
      .set('Authorization', dev('ruth'))
      .expect(200);
    await checkInvariants(h.db);
    await drainQueue();
  });

  it('should release the reservation at once when a queued job is cancelled', async () => {
    const job = (await createJob('bob').expect(202)).body;
    const cancelled = await request(h.server)
      .post(`/v1/jobs/${job.id}/cancel`)
      .set('Authorization', dev('bob'))
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev('bob')).expect(200);
    expect(credits.body).toMatchObject({ balance: 100, reserved: 0 });
    await request(h.server).post(`/v1/jobs/${job.id}/cancel`).set('Authorization', dev('bob')).expect(409);
    await drainQueue();
    await checkInvariants(h.db);
  });

  it('should signal the worker and release when a running job is cancelled', async () => {
    const job = (await createJob('carol').expect(202)).body;
    const taken = await worker.take();
    await eventually(
      async () =>
        (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status === 'running',
    );
    const answer = await request(h.server)
      .post(`/v1/jobs/${job.id}/cancel`)
      .set('Authorization', dev('carol'))
      .expect(200);
    expect(answer.body.status).toBe('running');
    expect(await h.redis.get(cancelSignalKey(job.id))).toBe('1');
    expect(await h.redis.ttl(cancelSignalKey(job.id))).toBeGreaterThan(0);
    await h.resultsQueue.add('result', {
      jobId: job.id,
      attemptToken: taken.data.attemptToken,
      outcome: 'cancelled',
      gpuSeconds: 3,
    });
    await eventually(
      async () =>
        (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status === 'cancelled',
    );
    const credits = await request(h.server).get('/v1/credits').set('Authorization', dev('carol')).expect(200);
    expect(credits.body).toMatchObject({ balance: 100, reserved: 0 });
    await checkInvariants(h.db);
  });

  it('should ignore a result whose attempt token is stale', async () => {
    const job = (await createJob('dave').expect(202)).body;
    const taken = await worker.take();
    const base = { jobId: job.id, gpuSeconds: 1 };
    await worker.report({
      ...base,
      attemptToken: '00000000-0000-4000-8000-000000000000',
      outcome: 'cancelled',
    });
    await sleep(300);
    expect((await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status).toBe(
      'running',
    );
    await worker.report({
      ...base,
      attemptToken: taken.data.attemptToken,
      outcome: 'failed',
      reason: 'out of memory',
    });
    await eventually(
      async () =>
        (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status === 'failed',
    );
    const ledger = await h.db.query(`SELECT kind FROM credit_ledger WHERE job_id = $1 ORDER BY id`, [job.id]);
    expect(ledger.rows.map((r) => r.kind)).toEqual(['reserve', 'release']);
    const failed = await request(h.server)
      .get(`/v1/jobs/${job.id}`)
      .set('Authorization', dev('dave'))
      .expect(200);
    expect(failed.body.failureReason).toBe('out of memory');
  });

  it('should queue a job again, reservation kept, when a worker hands it back', async () => {
    const job = (await createJob('hand-back').expect(202)).body;
    const statusOf = async () =>
      (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status;
    const first = await worker.take();
    await eventually(async () => (await statusOf()) === 'running');
    await worker.handBack(first);
    await eventually(async () => (await statusOf()) === 'queued');
    const credits = await request(h.server)
      .get('/v1/credits')
      .set('Authorization', dev('hand-back'))
      .expect(200);
    expect(credits.body).toMatchObject({ reserved: 3 });
    const second = await worker.take();
    expect(second.id).toBe(job.id);
    await worker.succeed(second);
    await eventually(async () => (await statusOf()) === 'succeeded');
    const ledger = await h.db.query(`SELECT kind FROM credit_ledger WHERE job_id = $1 ORDER BY id`, [job.id]);
    expect(ledger.rows.map((r) => r.kind)).toEqual(['reserve', 'capture']);
    await checkInvariants(h.db);
  });

  it('should answer 429 with Retry-After when the plan’s active-job limit is reached', async () => {
    for (let i = 0; i < 3; i++) await createJob('erin').expect(202);
    const refused = await createJob('erin').expect(429);
    expect(refused.body.code).toBe('ACTIVE_JOB_LIMIT');
    expect(refused.headers['retry-after']).toBe('30');
    await drainQueue();
  });

  it('should answer 402 and change nothing when credits are short', async () => {
    const grant = (amount: number) =>
      request(h.server)
        .post('/v1/admin/credits/grant')
        .set('Authorization', dev('root-admin'))
        .send({ userId: 'frank', amount, reason: 'test adjustment' });
    await grant(-1).expect(404);
    await request(h.server).post('/v1/users/init').set('Authorization', dev('frank')).expect(200);
    expect((await grant(-50).expect(200)).body).toMatchObject({ balance: 50, available: 50 });
    await grant(-51).expect(422);
    const refused = await createJob('frank', {
      prompt: 'long',
      resolution: '1280x704',
      durationSeconds: 10,
    }).expect(402);
    expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_CREDITS', status: 402 });
    expect(refused.body.detail).toContain('costs 100 credits and 50 are available');
    const jobs = await h.db.query(`SELECT count(*)::int AS n FROM jobs WHERE user_id = 'frank'`);
    expect(jobs.rows[0].n).toBe(0);
    await checkInvariants(h.db);
  });

  it("should answer 404 when a user asks for another account's job", async () => {
    const job = (await createJob('gina').expect(202)).body;
    for (const path of ['', '/events', '/video', '/thumbnail']) {
      const response = await request(h.server)
        .get(`/v1/jobs/${job.id}${path}`)
        .set('Authorization', dev('mallory'));
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
    await request(h.server)
      .post(`/v1/jobs/${job.id}/cancel`)
      .set('Authorization', dev('mallory'))
      .expect(404);
    await drainQueue();
  });

  it('should re-enqueue with a new attempt token when the queue entry was lost', async () => {
    const job = (await createJob('hank').expect(202)).body;
    await eventually(async () => (await h.jobsQueue.getJob(job.id)) !== undefined);
    const before = (await h.db.query(`SELECT attempt_token FROM jobs WHERE id = $1`, [job.id])).rows[0]
      .attempt_token;
    await h.jobsQueue.obliterate({ force: true });
    const report = await h.app.get(ReconcilerService).reconcile({ graceSeconds: 0 });
    expect(report.requeued).toContain(job.id);
    const entry = await eventually(async () => h.jobsQueue.getJob(job.id));
    expect(entry.data.attemptToken).not.toBe(before);
    await checkInvariants(h.db);
    await drainQueue();
  });

  it('should fail the job and release its credits when its reservation outlives the timeout', async () => {
    const job = (await createJob('slowpoke').expect(202)).body;
    await h.db.query(`UPDATE jobs SET created_at = now() - interval '4 hours' WHERE id = $1`, [job.id]);
    // Any scrape before the pass releases it measures the stuck reservation: the alert sees it.
    const metrics = (await request(h.server).get('/metrics').expect(200)).text;
    const oldest = Number(
      /^cineweave_ledger_oldest_unsettled_reservation_seconds (\S+)$/m.exec(metrics)?.[1],
    );
    expect(oldest).toBeGreaterThan(4 * 3600 - 60);
    const report = await h.app.get(ReconcilerService).reconcile();
    expect(report.timedOut).toContain(job.id);
    const failed = await request(h.server)
      .get(`/v1/jobs/${job.id}`)
      .set('Authorization', dev('slowpoke'))
      .expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', creditsCharged: 0 });
    expect(failed.body.failureReason).toContain('180 minutes');
    const credits = await request(h.server)
      .get('/v1/credits')
      .set('Authorization', dev('slowpoke'))
      .expect(200);
    expect(credits.body).toMatchObject({ balance: 100, reserved: 0 });
    expect(await h.jobsQueue.getJob(job.id)).toBeUndefined();
    await checkInvariants(h.db);
  });

  it('should expire outputs past retention and answer 410 for the video when swept', async () => {
    const job = (await createJob('ivan').expect(202)).body;
    const taken = await worker.take();
    await worker.succeed(taken);
    await eventually(
      async () =>
        (await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id])).rows[0].status === 'succeeded',
    );
    const expired = await h.app.get(RetentionService).sweep(new Date(Date.now() + 25 * 3_600_000));
    expect(expired).toContain(job.id);
    const gone = await request(h.server)
      .get(`/v1/jobs/${job.id}/video`)
      .set('Authorization', dev('ivan'))
      .expect(410);
    expect(gone.body.code).toBe('GONE');
    await checkInvariants(h.db);
  });
});
