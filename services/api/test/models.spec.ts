import {
  DEFAULT_MODEL_CATALOG,
  type WorkerHeartbeat,
  VideoJobPayloadSchema,
  workerHeartbeatKey,
  workerIndexKey,
} from '@cineweave/contracts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { WorkQueues } from '../src/core/queue/work-queues.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config/app-config.ts';
import { type Harness, dev, eventually, startHarness } from './support/harness.ts';
import { openSse } from './support/sse.ts';
import { durationText } from '../src/modules/jobs/dispatch/queue-standing.ts';

// The catalog, live availability from worker heartbeats, and admission against both: on real
// Postgres and Redis, heartbeats written the way a worker writes them (contracts' key and schema).

const KNOWN = 'wan2.2-ti2v-5b, fastwan2.2-ti2v-5b, wan2.2-tiny-test, wan2.2-a14b-test';

describe('models', () => {
  let h: Harness;
  const catalogDir = mkdtempSync(join(tmpdir(), 'cineweave-catalog-'));
  const catalogFile = join(catalogDir, 'models.json');
  // An install's own entry, from its catalog file: a model served by an engine beside the worker.
  writeFileSync(
    catalogFile,
    JSON.stringify([
      {
        ...DEFAULT_MODEL_CATALOG[0],
        id: 'wan2.2-a14b-test',
        displayName: 'Wan 2.2 A14B (install entry)',
        engine: 'openai-videos',
        priceFactor: 3,
      },
    ]),
  );

  beforeAll(async () => {
    h = await startHarness('models', { MODEL_CATALOG_FILE: catalogFile, MAX_ACTIVE_JOBS_PER_USER: '20' });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    const keys = await h.redis.keys(`${h.queuePrefix}:cineweave:workers*`);
    if (keys.length > 0) await h.redis.del(...keys);
    await h.jobsQueue.drain(true);
  });

  // As a worker announces itself: its key with a TTL, and its id in the index scored by that expiry.
  const announce = (beat: Partial<WorkerHeartbeat> & { workerId: string; model: string }) =>
    h.redis
      .multi()
      .set(
        workerHeartbeatKey(h.queuePrefix, beat.workerId),
        JSON.stringify({
          engine: 'onnx',
          ready: true,
          limits: { maxResolution: '640x352', maxFrames: 49 },
          at: new Date().toISOString(),
          ...beat,
        }),
        'EX',
        30,
      )
      .zadd(workerIndexKey(h.queuePrefix), Date.now() + 30_000, beat.workerId)
      .exec();
  const models = async () =>
    (await request(h.server).get('/v1/models').expect(200)).body.items as Record<string, unknown>[];
  const createJob = (user: string, body: object) =>
    request(h.server).post('/v1/jobs').set('Authorization', dev(user)).send(body);

  it('should list the built-in and installed models, none available when no worker announces itself', async () => {
    const items = await models();
    expect(items.map((item) => item.id)).toEqual(KNOWN.split(', '));
    expect(items.every((item) => item.available === false && item.workerLimits === null)).toBe(true);
    expect(items.find((item) => item.id === 'wan2.2-tiny-test')).toMatchObject({
      testModel: true,
      default: false,
    });
    expect(items.find((item) => item.id === 'wan2.2-ti2v-5b')).toMatchObject({ default: true });
    expect(items.find((item) => item.id === 'wan2.2-a14b-test')).toMatchObject({ engine: 'openai-videos' });
  });

  it('should mark a model available while a ready worker serves it and not for a worker that is not ready', async () => {
    await announce({ workerId: 'tiny-1', model: 'wan2.2-tiny-test' });
    await announce({
      workerId: 'fast-1',
      model: 'fastwan2.2-ti2v-5b',
      ready: false,
      reason: 'loading the model',
    });
    const tiny = await eventually(async () => {
      const item = (await models()).find((model) => model.id === 'wan2.2-tiny-test');
      return item?.available ? item : undefined;
    });
    expect(tiny).toMatchObject({
      readyWorkers: 1,
      workerLimits: { maxResolution: '640x352', maxFrames: 49 },
    });
    expect((await models()).find((model) => model.id === 'fastwan2.2-ti2v-5b')).toMatchObject({
      available: false,
      readyWorkers: 0,
    });
  });

  it('should forget a worker whose heartbeat ran out and drop it from the index', async () => {
    await announce({ workerId: 'gone-1', model: 'fastwan2.2-ti2v-5b' });
    // Its last beat expired a second ago (the worker died without a word).
    await h.redis.zadd(workerIndexKey(h.queuePrefix), Date.now() - 1000, 'gone-1');
    const fast = await eventually(async () => {
      const item = (await models()).find((model) => model.id === 'fastwan2.2-ti2v-5b');
      return (await h.redis.zscore(workerIndexKey(h.queuePrefix), 'gone-1')) === null ? item : undefined;
    });
    expect(fast).toMatchObject({ available: false, readyWorkers: 0 });
  });

  it('should refuse an unknown model with a 422 naming the known ones and change nothing', async () => {
    const refused = await createJob('una', { prompt: 'a fox', model: 'sora-9' }).expect(422);
    expect(refused.body.detail).toBe(
      `model sora-9 is not in this installation's catalog; known models: ${KNOWN}`,
    );
    expect(refused.body.errors).toEqual([{ field: 'model', message: `must be one of ${KNOWN}` }]);
    expect(await h.jobsQueue.count()).toBe(0);
  });

  it('should refuse parameters outside the model with a 422 naming each limit', async () => {
    const steps = await createJob('lim', { prompt: 'a fox', model: 'fastwan2.2-ti2v-5b', steps: 50 }).expect(
      422,
    );
    expect(steps.body.errors).toEqual([
      { field: 'steps', message: 'steps 50 is outside what model fastwan2.2-ti2v-5b renders: only 3' },
    ]);
    const preset = await createJob('lim', {
      prompt: 'a fox',
      model: 'wan2.2-ti2v-5b',
      preset: 'fast',
    }).expect(422);
    expect(preset.body.detail).toBe('preset fast is not one model wan2.2-ti2v-5b serves: quality, balanced');
    const size = await createJob('lim', {
      prompt: 'a fox',
      model: 'wan2.2-tiny-test',
      resolution: '1280x704',
    }).expect(422);
    expect(size.body.detail).toBe(
      'resolution 1280x704 is not one model wan2.2-tiny-test renders: 640x352, 352x640',
    );
  });

  it('should refuse a job larger than every ready worker of its model with the limit, and admit one that fits', async () => {
    await announce({ workerId: 'small-1', model: 'wan2.2-ti2v-5b' });
    await announce({
      workerId: 'small-2',
      model: 'wan2.2-ti2v-5b',
      ready: false,
      limits: { maxResolution: '1280x704', maxFrames: 301 },
    });
    // Once the API sees the worker (it reads heartbeats at most once a second).
    await eventually(async () => (await models()).find((model) => model.id === 'wan2.2-ti2v-5b')?.available);
    const refused = await createJob('big', {
      prompt: 'a fox',
      resolution: '1280x704',
      durationSeconds: 5,
    }).expect(422);
    expect(refused.body.detail).toBe(
      'This job (1280x704, 121 frames) is larger than any worker of model wan2.2-ti2v-5b renders: at most 640x352 and 49 frames (24 fps: at most 2 s).',
    );
    const fits = await createJob('big', {
      prompt: 'a fox',
      resolution: '352x640',
      durationSeconds: 2,
    }).expect(202);
    expect(fits.body.notice).toBeUndefined();
  });

  it('should admit a job for a model with no ready worker and say that it waits', async () => {
    const waiting = await createJob('wait', {
      prompt: 'a fox',
      model: 'wan2.2-a14b-test',
      resolution: '640x352',
      durationSeconds: 1,
    }).expect(202);
    expect(waiting.body).toMatchObject({ status: 'queued', model: 'wan2.2-a14b-test', preset: 'quality' });
    expect(waiting.body.notice).toBe(
      'No ready worker serves model wan2.2-a14b-test right now: the job waits in the queue until one does.',
    );
    // Priced by the install's factor: 3 credits/s x 1 s x 3.
    expect(waiting.body.creditsReserved).toBe(9);
  });

  it('should say why a queued job waits, in its view and on its event stream, as workers come and get ready', async () => {
    const created = await createJob('why', {
      prompt: 'a fox',
      model: 'wan2.2-tiny-test',
      resolution: '640x352',
      durationSeconds: 1,
    }).expect(202);
    const jobId = created.body.id as string;
    const view = async () =>
      (await request(h.server).get(`/v1/jobs/${jobId}`).set('Authorization', dev('why')).expect(200)).body;
    expect((await view()).queue).toMatchObject({ position: 0, reason: 'ModelUnavailable' });
    expect((await view()).queue.message).toContain('no worker of wan2.2-tiny-test is running');

    const stream = openSse(`${h.baseUrl}/v1/jobs/${jobId}/events`, dev('why'));
    const reasons = () => stream.events.filter((e) => e.event === 'status').map((e) => e.data.queueReason);
    await eventually(async () => reasons()[0] === 'ModelUnavailable');

    await announce({
      workerId: 'tiny-start',
      model: 'wan2.2-tiny-test',
      ready: false,
      reason: 'loading the model',
    });
    const starting = await eventually(async () =>
      stream.events.find((e) => e.event === 'status' && e.data.queueReason === 'ScalingUp'),
    );
    expect(starting.data).toMatchObject({
      jobId,
      status: 'queued',
      queuePosition: 0,
      message: 'It is next; a worker of wan2.2-tiny-test is starting (loading the model).',
    });

    await announce({ workerId: 'tiny-start', model: 'wan2.2-tiny-test', ready: true });
    await eventually(async () => reasons().includes('WaitingForWorker'));
    expect(reasons()).toEqual(['ModelUnavailable', 'ScalingUp', 'WaitingForWorker']);
    // No job of the model has finished here: the estimate is the catalog's typical time.
    const typical = DEFAULT_MODEL_CATALOG.find((entry) => entry.id === 'wan2.2-tiny-test')!.typicalSeconds;
    expect((await view()).queue).toEqual({
      position: 0,
      teamJobsAhead: 0,
      teamsAhead: 0,
      reason: 'WaitingForWorker',
      message: `It is next; 1 ready worker of wan2.2-tiny-test will take it as soon as one is free. Done in about ${durationText(typical)} (estimated from recent jobs).`,
      etaSeconds: typical,
    });
    expect(stream.events.at(-1)?.data).toMatchObject({
      queueReason: 'WaitingForWorker',
      queueEtaSeconds: typical,
    });
    stream.close();
    await request(h.server).post(`/v1/jobs/${jobId}/cancel`).set('Authorization', dev('why')).expect(200);
    expect((await view()).queue).toBeUndefined();
  });

  it('should give a job that asks only for the fast preset the distilled model with its own steps, guidance and price', async () => {
    const created = await createJob('fast', { prompt: 'a fox', preset: 'fast' }).expect(202);
    expect(created.body).toMatchObject({
      model: 'fastwan2.2-ti2v-5b',
      preset: 'fast',
      steps: 3,
      guidanceScale: 1,
      resolution: '1280x704',
      durationSeconds: 5,
      // 10 credits/s x 5 s x 0.25, rounded up.
      creditsReserved: 13,
    });
    const queued = await eventually(
      async () =>
        (await h.app.get(WorkQueues).forModel(created.body.model).getJob(created.body.id)) ?? undefined,
    );
    expect(VideoJobPayloadSchema.parse(queued.data)).toMatchObject({
      preset: 'fast',
      steps: 3,
      guidanceScale: 1,
    });
  });

  it('should carry the balanced preset to the worker and the job view when asked for', async () => {
    const created = await createJob('bal', {
      prompt: 'a fox',
      resolution: '640x352',
      durationSeconds: 1,
      preset: 'balanced',
    }).expect(202);
    expect(created.body.preset).toBe('balanced');
    const queued = await eventually(
      async () =>
        (await h.app.get(WorkQueues).forModel(created.body.model).getJob(created.body.id)) ?? undefined,
    );
    expect(queued.data.preset).toBe('balanced');
    const read = await request(h.server)
      .get(`/v1/jobs/${created.body.id}`)
      .set('Authorization', dev('bal'))
      .expect(200);
    expect(read.body.preset).toBe('balanced');
  });

  it('should quote by model and preset, with the model defaults, and refuse what admission would refuse', async () => {
    const fast = await request(h.server).get('/v1/pricing/quote?preset=fast').expect(200);
    expect(fast.body).toEqual({
      resolution: '1280x704',
      durationSeconds: 5,
      model: 'fastwan2.2-ti2v-5b',
      preset: 'fast',
      credits: 13,
    });
    const plain = await request(h.server)
      .get('/v1/pricing/quote?resolution=640x352&durationSeconds=2')
      .expect(200);
    expect(plain.body).toMatchObject({ model: 'wan2.2-ti2v-5b', preset: 'quality', credits: 6 });
    const refused = await request(h.server)
      .get('/v1/pricing/quote?model=wan2.2-tiny-test&durationSeconds=5')
      .expect(422);
    expect(refused.body.detail).toBe(
      'durationSeconds 5 is outside what model wan2.2-tiny-test renders: 1 to 2 s',
    );
  });
});

describe(loadConfig.name, () => {
  const base = {
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    REDIS_URL: 'redis://127.0.0.1:6379',
    S3_ENDPOINT: 'http://127.0.0.1:9000',
    S3_ACCESS_KEY: 'a',
    S3_SECRET_KEY: 'b',
    S3_BUCKET: 'cineweave',
    AUTH_MODE: 'dev',
    NODE_ENV: 'test',
    INTERNAL_TOKEN: 'internal-token-0123456789',
  };

  it('should refuse to start when DEFAULT_MODEL is not in the catalog or the catalog file is not valid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cineweave-catalog-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'half-an-entry' }]));
    expect(() => loadConfig({ ...base, DEFAULT_MODEL: 'nope' })).toThrow(
      'DEFAULT_MODEL: nope is not in the model catalog (wan2.2-ti2v-5b, fastwan2.2-ti2v-5b, wan2.2-tiny-test)',
    );
    expect(() => loadConfig({ ...base, MODEL_CATALOG_FILE: bad })).toThrow(
      'MODEL_CATALOG_FILE: is not a valid model catalog',
    );
    expect(() => loadConfig({ ...base, MODEL_CATALOG_FILE: join(dir, 'missing.json') })).toThrow('ENOENT');
  });
});
