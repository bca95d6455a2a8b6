/**
 * The real CineWeave API for the end-to-end suite: built once (`nx build api`), run as a child process
 * against its own Postgres database, BullMQ/Redis prefix and s3rver; plus the GPU worker's side of
 * the queue protocol, played through the real BullMQ queues.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from '@20minutes/s3rver';
import type { CreditsSummary, JobResult, VideoJobPayload } from '@cineweave/contracts';
import {
  CreditsSummarySchema,
  DEFAULT_MODEL_ID,
  JOB_NAMES,
  QUEUE_NAMES,
  TEAM_HEADER,
  cancelSignalKey,
  workQueueName,
} from '@cineweave/contracts';
import { Queue, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = { host: '127.0.0.1', port: 6379 };
export const INTERNAL_TOKEN = 'operator-e2e-internal-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Builds the API (and contracts) with Nx; cached when nothing changed. A type error in the API
 * fails its own build target; here an existing build is still used so that the operator's suite
 * tests the operator, and the reason is printed.
 */
export async function buildApi(): Promise<void> {
  // Suites run in parallel: one builds while the others wait for it.
  const lock = join(ROOT, 'tmp', 'operator-e2e-api-build.lock');
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    const deadline = Date.now() + 300_000;
    while (existsSync(lock) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 500));
    if (!existsSync(join(ROOT, 'services/api/dist/main.js')))
      throw new Error('The API build another suite ran left no build');
    return;
  }
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/nx/dist/bin/nx.js'), 'build', 'api', '--outputStyle=static'],
      {
        cwd: ROOT,
        stdio: 'pipe',
        env: process.env,
      },
    );
  } catch (error) {
    const output = String((error as { stdout?: Buffer }).stdout ?? '')
      .split('\n')
      .filter((line) => line.includes('error'))
      .slice(0, 5);
    if (!existsSync(join(ROOT, 'services/api/dist/main.js'))) {
      throw new Error(`nx build api failed and there is no earlier build to use:\n${output.join('\n')}`);
    }
    console.warn(`nx build api failed; using the existing services/api/dist:\n${output.join('\n')}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** What the stand-in worker uploads as a job's video: the start of an MP4 (an `ftyp` box). */
export const FAKE_MP4 = Buffer.from('0000001c667479706973366d0000020069736f6d69736f326d703431', 'hex');
export const FAKE_WEBP = Buffer.from('RIFF\u0004\u0000\u0000\u0000WEBP', 'latin1');

export class RealApi {
  readonly url: string;
  readonly queuePrefix: string;
  /** The s3rver the API stores outputs in; its bucket is `cineweave`. */
  readonly s3Url: string;
  readonly db: pg.Pool;
  readonly redis: Redis;
  readonly results: Queue;
  private child: ChildProcess | undefined;
  private readonly env: Record<string, string>;
  private readonly cleanups: (() => Promise<unknown>)[];

  private constructor(
    port: number,
    env: Record<string, string>,
    db: pg.Pool,
    cleanups: (() => Promise<unknown>)[],
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.s3Url = env.S3_ENDPOINT;
    this.env = env;
    this.queuePrefix = env.QUEUE_PREFIX;
    this.db = db;
    this.redis = new Redis(REDIS);
    this.results = new Queue(QUEUE_NAMES.videoResults, { connection: REDIS, prefix: this.queuePrefix });
    this.cleanups = cleanups;
  }

  /** `env` overrides the API's settings (e.g. MAX_ACTIVE_JOBS_PER_USER). */
  static async start(suite: string, env: Record<string, string> = {}): Promise<RealApi> {
    const database = `cw_${suite}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const s3Directory = mkdtempSync(join(tmpdir(), 'cw-operator-s3-'));
    const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory });
    const s3Address = (await s3.run()) as AddressInfo;
    const port = await freePort();
    const prefix = `cwop-${suite}-${randomBytes(3).toString('hex')}`;
    const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    const api = new RealApi(
      port,
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: String(port),
        DATABASE_URL: databaseUrl,
        DB_MIGRATE: 'true',
        REDIS_URL: 'redis://127.0.0.1:6379/0',
        REDIS_PREFIX: prefix,
        QUEUE_PREFIX: prefix,
        S3_ENDPOINT: `http://127.0.0.1:${s3Address.port}`,
        S3_ACCESS_KEY: 'S3RVER',
        S3_SECRET_KEY: 'S3RVER',
        S3_BUCKET: 'cineweave',
        AUTH_MODE: 'dev',
        INTERNAL_TOKEN,
        RATE_LIMIT_PER_MINUTE: '100000',
        OUTBOX_POLL_MS: '200',
        ...env,
      },
      db,
      [
        () => db.end(),
        () => s3.close(),
        async () => rmSync(s3Directory, { recursive: true, force: true }),
        async () => {
          const cleanup = new pg.Client({ connectionString: ADMIN_URL });
          await cleanup.connect();
          await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await cleanup.end();
        },
      ],
    );
    await api.up();
    return api;
  }

  /** Starts the API process and waits until it answers the internal routes. */
  async up(): Promise<void> {
    this.child = spawn(process.execPath, [join(ROOT, 'services/api/dist/main.js')], {
      cwd: join(ROOT, 'services/api'),
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', process.env.OPERATOR_TEST_LOG ? 'inherit' : 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`The API exited with ${this.child.exitCode} during start-up`);
      const ok = await fetch(`${this.url}/internal/v1/queues/stats`, {
        headers: { Authorization: `Bearer ${INTERNAL_TOKEN}` },
      }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('The API did not answer within 60 s');
  }

  /** Stops the API process (the operator then sees connection refused). */
  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  /** Stores an object as a worker's upload would (s3rver takes unsigned requests). */
  async putObject(key: string, body: Buffer, contentType: string): Promise<void> {
    const response = await fetch(`${this.s3Url}/cineweave/${key}`, {
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      body,
    });
    if (!response.ok)
      throw new Error(`PUT ${key} to s3rver answered ${response.status}: ${await response.text()}`);
  }

  /** Creates the user's account with the free plan's grant (dev sign-in). */
  async initUser(userId: string): Promise<void> {
    const response = await fetch(`${this.url}/v1/users/init`, {
      method: 'POST',
      headers: { Authorization: `Bearer dev:${userId}` },
    });
    if (!response.ok)
      throw new Error(`users/init for ${userId} answered ${response.status}: ${await response.text()}`);
  }

  /** The credits of the user's default team, or of `teamId` (one of theirs) as the portal asks for them. */
  async credits(userId: string, teamId?: string): Promise<CreditsSummary> {
    const response = await fetch(`${this.url}/v1/credits`, {
      headers: { Authorization: `Bearer dev:${userId}`, ...(teamId ? { [TEAM_HEADER]: teamId } : {}) },
    });
    return CreditsSummarySchema.parse(await response.json());
  }

  /**
   * A team owned by `ownerId` (signed in already), made as its owner and an admin would in the
   * portal: created, granted `credits`, and given `limits`. Answers its id.
   */
  async createTeam(
    name: string,
    ownerId: string,
    credits: number,
    limits: Record<string, number | null> = {},
  ): Promise<string> {
    const { id } = (await this.call('POST', '/v1/teams', ownerId, { name })) as { id: string };
    await this.call('POST', `/v1/admin/teams/${id}/credits`, 'e2e-admin:admin', {
      amount: credits,
      reason: 'e2e team grant',
    });
    if (Object.keys(limits).length > 0) await this.setLimits(id, ownerId, limits);
    return id;
  }

  /** `PATCH /v1/teams/:id/limits` as an owner or admin of the team. */
  async setLimits(teamId: string, userId: string, limits: Record<string, number | null>): Promise<void> {
    await this.call('PATCH', `/v1/teams/${teamId}/limits`, userId, limits);
  }

  private async call(method: string, path: string, userId: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer dev:${userId}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }

  async ledgerKinds(jobId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ kind: string }>(
      `SELECT kind FROM credit_ledger WHERE job_id = $1 ORDER BY id`,
      [jobId],
    );
    return rows.map((row) => row.kind);
  }

  async close(): Promise<void> {
    await this.down();
    await this.results.obliterate({ force: true }).catch(() => undefined);
    await this.results.close();
    const keys = await this.redis.keys(`${this.queuePrefix}*`);
    if (keys.length > 0) await this.redis.del(...keys);
    await this.redis.quit();
    for (const cleanup of this.cleanups) await cleanup().catch(() => undefined);
  }
}

/** The GPU worker's part: take `generate` jobs, report progress, put results on `video-results`. */
export class QueueWorker {
  private readonly worker: Worker;
  private readonly token = randomUUID();
  private readonly api: RealApi;

  /** Serves one model, as a real worker serves its MODEL_ID's queue only. */
  constructor(api: RealApi, model: string = DEFAULT_MODEL_ID) {
    this.api = api;
    this.worker = new Worker(workQueueName(model), null, {
      connection: REDIS,
      prefix: api.queuePrefix,
      autorun: false,
    });
  }

  async take(timeoutMs = 15_000): Promise<Job<VideoJobPayload>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = (await this.worker.getNextJob(this.token, { block: false })) as
        Job<VideoJobPayload> | undefined;
      if (job) return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('No job reached the work queue in time');
  }

  progress(job: Job<VideoJobPayload>, step: number, totalSteps: number): Promise<void> {
    return job.updateProgress({ step, totalSteps, percent: Math.round((step / totalSteps) * 100) });
  }

  async finish(job: Job<VideoJobPayload>, outcome: 'succeeded' | 'cancelled'): Promise<void> {
    const base = {
      jobId: job.data.jobId,
      attemptToken: job.data.attemptToken,
      gpuSeconds: 7,
      workerId: 'e2e-worker',
    };
    const prefix = `outputs/${job.data.accountId}/${job.data.jobId}`;
    if (outcome === 'succeeded') {
      await this.api.putObject(`${prefix}/video.mp4`, FAKE_MP4, 'video/mp4');
      await this.api.putObject(`${prefix}/thumbnail.webp`, FAKE_WEBP, 'image/webp');
    }
    const result: JobResult =
      outcome === 'succeeded'
        ? {
            ...base,
            outcome,
            videoKey: `${prefix}/video.mp4`,
            thumbnailKey: `${prefix}/thumbnail.webp`,
            durationSeconds: job.data.durationSeconds,
            frames: 25,
            modelHash: 'sha256:e2e',
          }
        : { ...base, outcome };
    await this.api.results.add(JOB_NAMES.result, result);
    await job.moveToCompleted('done', this.token, false);
  }

  /** Whether the API asked the worker to stop this job (the Redis flag, with or without the key prefix). */
  async cancelRequested(jobId: string): Promise<boolean> {
    const key = cancelSignalKey(jobId);
    const hits = await Promise.all([
      this.api.redis.exists(key),
      this.api.redis.exists(`${this.api.queuePrefix}${key}`),
      this.api.redis.exists(`${this.api.queuePrefix}:${key}`),
    ]);
    return hits.some((hit) => hit > 0);
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
