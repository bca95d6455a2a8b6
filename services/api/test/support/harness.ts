import 'reflect-metadata';
import S3rver from '@20minutes/s3rver';
import type { INestApplication } from '@nestjs/common';
import {
  DEFAULT_MODEL_ID,
  JOB_NAMES,
  type JobResult,
  QUEUE_NAMES,
  type VideoJobPayload,
  workQueueName,
  resultJobId,
} from '@cineweave/contracts';
import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createApp } from '../../src/app.factory.ts';
import { type AppConfig, loadConfig } from '../../src/core/config/app-config.ts';

export const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379/0';
export const INTERNAL_TOKEN = 'internal-token-for-tests-0123456789';

export interface Harness {
  app: INestApplication;
  baseUrl: string;
  /** The `http.Server`, for supertest. */
  server: Server;
  /** Owner connection to the suite's database, for assertions. */
  db: pg.Pool;
  databaseUrl: string;
  redis: Redis;
  queuePrefix: string;
  jobsQueue: Queue;
  resultsQueue: Queue;
  s3Port: number;
  /** The configuration the app started with: a second replica can start from it. */
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * A whole API for one suite: its own database (migrated by the app itself, DB_MIGRATE=true),
 * its own BullMQ prefix and Redis key prefix, and its own s3rver.
 */
export async function startHarness(
  suite: string,
  env: Record<string, string> = {},
  /** Ports of TcpProxy instances the app should reach Postgres and Redis through (fault tests). */
  via: { postgresPort?: number; redisPort?: number } = {},
): Promise<Harness> {
  const database = `cw_${suite}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/${database}`;

  const s3Directory = mkdtempSync(join(tmpdir(), 'cw-s3-'));
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory });
  const s3Address = (await s3.run()) as AddressInfo;

  const queuePrefix = `cwtest-${suite}-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: via.postgresPort
      ? `postgres://postgres@127.0.0.1:${via.postgresPort}/${database}`
      : databaseUrl,
    DB_MIGRATE: 'true',
    REDIS_URL: via.redisPort ? `redis://127.0.0.1:${via.redisPort}/0` : REDIS_URL,
    REDIS_PREFIX: queuePrefix,
    QUEUE_PREFIX: queuePrefix,
    S3_ENDPOINT: `http://127.0.0.1:${s3Address.port}`,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    S3_BUCKET: 'cineweave',
    AUTH_MODE: 'dev',
    INTERNAL_TOKEN,
    ADMIN_USER_IDS: 'root-admin',
    RATE_LIMIT_PER_MINUTE: '100000',
    BACKGROUND_TASKS: 'false',
    OUTBOX_POLL_MS: '200',
    ...env,
  });
  const app = await createApp(config, { logs: false });
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const redis = new Redis(REDIS_URL);
  const connection = { host: '127.0.0.1', port: 6379 };
  // The default model's work queue, where every test job without a `model` goes.
  const jobsQueue = new Queue(workQueueName(DEFAULT_MODEL_ID), { connection, prefix: queuePrefix });
  const resultsQueue = new Queue(QUEUE_NAMES.videoResults, { connection, prefix: queuePrefix });

  return {
    app,
    baseUrl,
    server,
    db,
    databaseUrl,
    redis,
    queuePrefix,
    jobsQueue,
    resultsQueue,
    s3Port: s3Address.port,
    config,
    async close() {
      // Every step runs even if an earlier one fails, so no database or Redis key outlives the suite.
      const steps: (() => Promise<unknown>)[] = [
        () => app.close(),
        () => jobsQueue.obliterate({ force: true }),
        () => resultsQueue.obliterate({ force: true }),
        () => Promise.allSettled([jobsQueue.close(), resultsQueue.close()]),
        async () => {
          const keys = await redis.keys(`${queuePrefix}*`);
          if (keys.length > 0) await redis.del(...keys);
        },
        () => redis.quit(),
        () => db.end(),
        () => s3.close(),
        async () => rmSync(s3Directory, { recursive: true, force: true }),
        async () => {
          const cleanup = new pg.Client({ connectionString: ADMIN_URL });
          await cleanup.connect();
          // pg's Pool.end() resolves before its connections have closed; a connection that FORCE
          // terminates while closing emits an error no one listens to, failing the whole run.
          for (let i = 0; i < 40; i++) {
            const open = await cleanup.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
              [database],
            );
            if (open.rows[0].n === 0) break;
            await sleep(50);
          }
          await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await cleanup.end();
        },
      ];
      for (const step of steps) await step().catch(() => undefined);
    },
  };
}

/** The GPU worker's side of the queue protocol, played by a test through the real queues. */
export class FakeGpuWorker {
  private readonly worker: Worker;
  private readonly token = randomUUID();

  /** Takes the jobs of one model, as a real worker takes only its MODEL_ID's queue. */
  constructor(
    private readonly harness: Harness,
    model: string = DEFAULT_MODEL_ID,
  ) {
    this.worker = new Worker(workQueueName(model), null, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: harness.queuePrefix,
      autorun: false,
    });
  }

  /** Takes the next job, as a worker would; BullMQ publishes `active`. */
  async take(timeoutMs = 5_000): Promise<Job<VideoJobPayload>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = (await this.worker.getNextJob(this.token, { block: false })) as
        Job<VideoJobPayload> | undefined;
      if (job) return job;
      await sleep(50);
    }
    throw new Error('No job reached the work queue in time');
  }

  async progress(job: Job<VideoJobPayload>, step: number, totalSteps: number): Promise<void> {
    await job.updateProgress({ step, totalSteps, percent: Math.round((step / totalSteps) * 1000) / 10 });
  }

  /** Puts a result on the results queue, as the worker does when an attempt ends. */
  async report(result: JobResult): Promise<void> {
    await this.harness.resultsQueue.add(JOB_NAMES.result, result);
  }

  async succeed(job: Job<VideoJobPayload>, overrides: Partial<JobResult> = {}): Promise<void> {
    const prefix = `outputs/${job.data.accountId}/${job.data.jobId}`;
    await this.harness.resultsQueue.add(
      JOB_NAMES.result,
      {
        jobId: job.data.jobId,
        attemptToken: job.data.attemptToken,
        outcome: 'succeeded',
        gpuSeconds: 42,
        videoKey: `${prefix}/video.mp4`,
        thumbnailKey: `${prefix}/thumbnail.webp`,
        durationSeconds: job.data.durationSeconds,
        frames: 121,
        modelHash: 'sha256:test',
        workerId: 'fake-worker',
        ...overrides,
      } as JobResult,
      { jobId: resultJobId(job.data.jobId, job.data.attemptToken) },
    );
    await job.moveToCompleted('done', this.token, false);
  }

  /** What a worker does on SIGTERM past its grace period: the job goes back for another worker. */
  async handBack(job: Job<VideoJobPayload>): Promise<void> {
    await job.moveToWait(this.token);
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined/false. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(50);
  }
  throw new Error(`Condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

export const dev = (userId: string, admin = false) => `Bearer dev:${userId}${admin ? ':admin' : ''}`;

/** Ledger invariants every scenario must leave true. */
export async function checkInvariants(db: pg.Pool): Promise<void> {
  const drift = await db.query(
    `SELECT a.id, a.balance, a.reserved, coalesce(sum(l.amount), 0)::int AS ledger_balance,
            coalesce(sum(l.reserved_delta), 0)::int AS ledger_reserved,
            (SELECT count(*)::int FROM jobs j WHERE j.account_id = a.id AND j.status IN ('queued', 'running')) AS active,
            a.active_jobs
       FROM accounts a LEFT JOIN credit_ledger l ON l.account_id = a.id
      GROUP BY a.id
     HAVING a.balance <> coalesce(sum(l.amount), 0) OR a.reserved <> coalesce(sum(l.reserved_delta), 0)
         OR a.balance - a.reserved < 0
         OR a.active_jobs <> (SELECT count(*) FROM jobs j WHERE j.account_id = a.id AND j.status IN ('queued', 'running'))`,
  );
  if (drift.rows.length > 0) throw new Error(`Ledger invariants broken: ${JSON.stringify(drift.rows)}`);
  const perJob = await db.query(
    `SELECT j.id, j.status,
            count(*) FILTER (WHERE l.kind = 'reserve')::int AS reserves,
            count(*) FILTER (WHERE l.kind IN ('capture', 'release'))::int AS outcomes
       FROM jobs j LEFT JOIN credit_ledger l ON l.job_id = j.id
      GROUP BY j.id
     HAVING count(*) FILTER (WHERE l.kind = 'reserve') <> 1
         OR count(*) FILTER (WHERE l.kind IN ('capture', 'release')) > 1
         OR (j.status IN ('succeeded', 'failed', 'cancelled', 'expired')) <> (count(*) FILTER (WHERE l.kind IN ('capture', 'release')) = 1)`,
  );
  if (perJob.rows.length > 0) throw new Error(`Per-job ledger rule broken: ${JSON.stringify(perJob.rows)}`);
}
