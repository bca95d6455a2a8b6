// The worker end to end: the built API and the built worker as real processes, real Postgres,
// Redis and an S3-protocol server, and the tiny model on CPU. A job goes in through the public
// API and comes out as a playable MP4, with progress over SSE and credits captured.
import S3rver from '@20minutes/s3rver';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../src/video/ffprobe.ts';
import { startService, waitForOk, type ServiceProcess } from '@cineweave/test-support';
import { collectEvents, type SseEvent } from './support/sse.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const suffix = randomBytes(4).toString('hex');
const database = `cw_worker_e2e_${suffix}`;
const queuePrefix = `cw-worker-e2e-${suffix}`;
const work = mkdtempSync(join(tmpdir(), 'cw-worker-e2e-'));
const modelDir = join(work, 'model');
const user = 'Bearer dev:e2e-worker-user';

let api: ServiceProcess;
let s3: S3rver;
let baseUrl = '';
let s3Endpoint = '';
const workers: ServiceProcess[] = [];

function freePortEnv(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

function startWorker(env: Record<string, string> = {}): ServiceProcess {
  const metricsPort = freePortEnv();
  const worker = startService(join(root, 'services/gpu-worker/dist/main.js'), {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    REDIS_URL: 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: queuePrefix,
    S3_ENDPOINT: s3Endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    S3_BUCKET: 'cineweave',
    MODEL_DIR: modelDir,
    DEVICE: 'cpu',
    METRICS_PORT: String(metricsPort),
    JOB_LOCK_SECONDS: '3',
    SHUTDOWN_GRACE_SECONDS: '5',
    ...env,
  });
  workers.push(worker);
  return Object.assign(worker, { readyUrl: `http://127.0.0.1:${metricsPort}/readyz` });
}

async function startReadyWorker(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const worker = startWorker(env) as ServiceProcess & { readyUrl: string };
  await waitForOk(worker.readyUrl, 60_000, worker);
  return worker;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: user, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function credits(): Promise<{ balance: number; reserved: number }> {
  return (await call('GET', '/v1/credits')).json as { balance: number; reserved: number };
}

async function ledgerKindsFor(jobId: string): Promise<string[]> {
  const { json } = await call('GET', '/v1/credits/ledger?limit=100');
  const items = json.items as { kind: string; jobId?: string | null }[];
  return items
    .filter((entry) => entry.jobId === jobId)
    .map((entry) => entry.kind)
    .sort();
}

/** The second worker started the job exactly once, and the job was charged exactly once. */
async function expectTakenOverAndChargedOnce(
  second: ServiceProcess,
  jobId: string,
  before: { balance: number; reserved: number },
): Promise<void> {
  const starts = second
    .output()
    .split('\n')
    .filter((line) => line.includes(jobId) && line.includes('Started job'));
  expect(starts).toHaveLength(1);
  expect(await ledgerKindsFor(jobId)).toEqual(['capture', 'reserve']);
  const after = await credits();
  expect(after.balance).toBe(before.balance - 3);
  expect(after.reserved).toBe(before.reserved);
}

async function createJob(body: Record<string, unknown>): Promise<string> {
  const { status, json } = await call('POST', '/v1/jobs', body);
  expect(status, JSON.stringify(json)).toBe(202);
  return json.id as string;
}

function untilFinished(event: SseEvent): boolean {
  return event.event === 'completed' || event.event === 'failed';
}

async function downloadVideo(jobId: string): Promise<string> {
  const redirect = await fetch(`${baseUrl}/v1/jobs/${jobId}/video`, {
    headers: { Authorization: user },
    redirect: 'manual',
  });
  expect(redirect.status).toBe(302);
  const location = redirect.headers.get('location');
  expect(location).toBeTruthy();
  const video = await fetch(location!);
  expect(video.status).toBe(200);
  const path = join(work, `${jobId}.mp4`);
  writeFileSync(path, Buffer.from(await video.arrayBuffer()));
  return path;
}

beforeAll(async () => {
  // The processes under test run their builds, as in production.
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api,gpu-worker', '--outputStyle=static'], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  execFileSync(
    'npm',
    ['run', '--silent', '-w', 'models/wan22', 'build-model', '--', '--tiny', '--out', modelDir],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );

  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();

  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(work, 's3'),
    configureBuckets: [{ name: 'cineweave', configs: [] }],
  });
  const s3Address = (await s3.run()) as AddressInfo;
  s3Endpoint = `http://127.0.0.1:${s3Address.port}`;

  const port = freePortEnv();
  baseUrl = `http://127.0.0.1:${port}`;
  api = startService(join(root, 'services/api/dist/main.js'), {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
    DB_MIGRATE: 'true',
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: queuePrefix,
    QUEUE_PREFIX: queuePrefix,
    S3_ENDPOINT: s3Endpoint,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    S3_BUCKET: 'cineweave',
    AUTH_MODE: 'dev',
    INTERNAL_TOKEN: 'internal-token-worker-e2e-0123456789',
    OUTBOX_POLL_MS: '100',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  await waitForOk(`${baseUrl}/ready`, 60_000, api);
  expect((await call('POST', '/v1/users/init')).status).toBeLessThan(300);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled(workers.map((worker) => worker.stop('SIGKILL')));
  await api?.stop();
  await s3?.close();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  // The queues' keys (jobs, results, events) go too, so runs leave nothing in Redis.
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${queuePrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe('GPU worker end to end (tiny model, CPU)', () => {
  it('should turn a text-to-video job into a playable MP4, with progress over SSE and credits captured', async () => {
    const worker = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a red fox in the snow',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 4,
    });
    const events = await collectEvents(`${baseUrl}/v1/jobs/${jobId}/events`, user, untilFinished, 120_000);

    const names = events.map((event) => event.event);
    expect(names).toContain('status');
    expect(names.at(-1)).toBe('completed');
    const progress = events.filter((event) => event.event === 'progress').map((event) => event.data);
    expect(progress.map((update) => update.step)).toContain(4);
    // Stage-aware: the last step is not the end; decode, encode and upload follow it.
    expect(progress.some((update) => update.step === 4 && Number(update.percent) < 100)).toBe(true);

    const after = await credits();
    expect(after.reserved).toBe(before.reserved);
    expect(after.balance).toBe(before.balance - 3);
    expect(await ledgerKindsFor(jobId)).toEqual(['capture', 'reserve']);

    const probe = await probeVideo(await downloadVideo(jobId));
    expect(probe).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      width: 352,
      height: 640,
      frames: 9,
      fastStart: true,
    });
    expect(probe.durationSeconds).toBeCloseTo(9 / 8, 1);
    const thumbnail = await fetch(`${baseUrl}/v1/jobs/${jobId}/thumbnail`, {
      headers: { Authorization: user },
    });
    expect(thumbnail.status).toBe(200);
    expect((await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).width).toBe(480);
    await worker.stop();
  }, 180_000);

  it('should turn an image-to-video job into a video of the image size rule', async () => {
    const worker = await startReadyWorker();
    const png = await sharp({
      create: { width: 500, height: 300, channels: 3, background: { r: 200, g: 40, b: 90 } },
    })
      .png()
      .toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'input.png');
    const upload = await fetch(`${baseUrl}/v1/uploads`, {
      method: 'POST',
      headers: { Authorization: user },
      body: form,
    });
    expect(upload.status).toBe(201);
    const { id: imageUploadId } = (await upload.json()) as { id: string };

    const jobId = await createJob({
      prompt: 'the colour field ripples',
      imageUploadId,
      resolution: '640x352',
      durationSeconds: 1,
      fps: 8,
      steps: 3,
    });
    const events = await collectEvents(`${baseUrl}/v1/jobs/${jobId}/events`, user, untilFinished, 120_000);
    expect(events.at(-1)?.event).toBe('completed');

    const probe = await probeVideo(await downloadVideo(jobId));
    expect(probe.frames).toBe(9);
    expect(probe.width % 32).toBe(0);
    expect(probe.height % 32).toBe(0);
    expect(probe.width * probe.height).toBeLessThanOrEqual(640 * 352);
    expect(probe.width / probe.height).toBeCloseTo(500 / 300, 0);
    await worker.stop();
  }, 180_000);

  it('should stop a cancelled job within one step and release its credits', async () => {
    const worker = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a slow pan over a lighthouse',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 100,
    });
    let cancelledAtStep = -1;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && cancelledAtStep < 0 && Number(event.data.step) >= 2) {
          cancelledAtStep = Number(event.data.step);
          void call('POST', `/v1/jobs/${jobId}/cancel`);
        }
        return untilFinished(event);
      },
      120_000,
    );
    expect(events.at(-1)).toMatchObject({ event: 'failed', data: { status: 'cancelled' } });
    const lastStep = Math.max(
      ...events.filter((event) => event.event === 'progress').map((event) => Number(event.data.step)),
    );
    expect(lastStep).toBeLessThanOrEqual(cancelledAtStep + 2);
    expect(lastStep).toBeLessThan(100);
    expect(await credits()).toEqual(
      expect.objectContaining({ balance: before.balance, reserved: before.reserved }),
    );
    expect(await ledgerKindsFor(jobId)).toEqual(['release', 'reserve']);
    await worker.stop();
  }, 180_000);

  it('should hand a job back on SIGTERM past the grace period, and settle it once when another worker finishes it', async () => {
    const first = await startReadyWorker({ SHUTDOWN_GRACE_SECONDS: '1' });
    const before = await credits();
    const jobId = await createJob({
      prompt: 'a train crossing a bridge',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 100,
    });
    let second: ServiceProcess | undefined;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && !second) {
          // Kubernetes scaling the pod down mid-job: SIGTERM, then another worker is there to take over.
          first.child.kill('SIGTERM');
          second = startWorker();
        }
        return untilFinished(event);
      },
      240_000,
    );
    if (!second) throw new Error('The job never reported progress');
    expect(events.at(-1)?.event).toBe('completed');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Handed the job back');
    await expectTakenOverAndChargedOnce(second, jobId, before);
    await second.stop();
  }, 300_000);

  it('should retry a job exactly once when its worker is killed mid-job, and settle it once', async () => {
    const first = await startReadyWorker();
    const before = await credits();
    const jobId = await createJob({
      prompt: 'waves on a beach at dusk',
      resolution: '352x640',
      durationSeconds: 1,
      fps: 8,
      steps: 40,
    });
    // The second worker starts only once the first has the job, so the first one is the one killed.
    let second: ServiceProcess | undefined;
    const events = await collectEvents(
      `${baseUrl}/v1/jobs/${jobId}/events`,
      user,
      (event) => {
        if (event.event === 'progress' && !second) second = startWorker();
        if (event.event === 'progress' && Number(event.data.step) >= 2 && first.child.exitCode === null) {
          first.child.kill('SIGKILL');
        }
        return untilFinished(event);
      },
      180_000,
    );
    if (!second) throw new Error('The job never reported progress');
    expect(events.at(-1)?.event).toBe('completed');
    expect(first.child.signalCode).toBe('SIGKILL');
    await expectTakenOverAndChargedOnce(second, jobId, before);
    await second.stop();
  }, 240_000);
});
