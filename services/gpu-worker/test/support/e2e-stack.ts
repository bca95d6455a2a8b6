// The worker's end-to-end suites run the built API and the built worker as real processes, on
// real Postgres and Redis and an S3-protocol server; each suite gets its own database, queue
// prefix and bucket directory, and removes them when it ends.
import S3rver from '@20minutes/s3rver';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { expect } from 'vitest';
import { startService, waitForOk, type ServiceProcess } from '@cineweave/test-support';

export const root = join(import.meta.dirname, '..', '..', '..', '..');
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const USER = 'Bearer dev:e2e-worker-user';

export type WorkerProcess = ServiceProcess & { readyUrl: string };

export interface Stack {
  baseUrl: string;
  work: string;
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  credits(): Promise<{ balance: number; reserved: number }>;
  ledgerKindsFor(jobId: string): Promise<string[]>;
  /** The worker id the job's result carried (stored at settlement). */
  workerIdOf(jobId: string): Promise<string | null>;
  createJob(body: Record<string, unknown>): Promise<string>;
  downloadVideo(jobId: string): Promise<string>;
  startWorker(env: Record<string, string>): WorkerProcess;
  startReadyWorker(env: Record<string, string>): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

function freePort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/**
 * Builds the API and the worker (and what they import) as production runs them. Suites that run
 * at the same time take turns: the second finds Nx's cache warm.
 */
export function buildServices(): void {
  const lock = join(tmpdir(), 'cineweave-worker-e2e-build.lock');
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`${lock} was held for 10 minutes; remove it if no build runs`);
      execFileSync('sleep', ['1']);
    }
  }
  try {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api,gpu-worker', '--outputStyle=static'], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
  } finally {
    rmdirSync(lock);
  }
}

export async function startStack(name: string): Promise<Stack> {
  const suffix = randomBytes(4).toString('hex');
  const database = `cw_${name.replaceAll('-', '_')}_${suffix}`;
  const queuePrefix = `cw-${name}-${suffix}`;
  const work = mkdtempSync(join(tmpdir(), `cw-${name}-`));
  const workers: ServiceProcess[] = [];

  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();

  const s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: join(work, 's3'),
    configureBuckets: [{ name: 'cineweave', configs: [] }],
  });
  const s3Endpoint = `http://127.0.0.1:${((await s3.run()) as AddressInfo).port}`;

  const port = freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = startService(join(root, 'services/api/dist/main.js'), {
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

  const call: Stack['call'] = async (method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: USER, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  const startWorker = (env: Record<string, string>): WorkerProcess => {
    const metricsPort = freePort();
    const worker = startService(join(root, 'services/gpu-worker/dist/main.js'), {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: queuePrefix,
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'cineweave',
      METRICS_PORT: String(metricsPort),
      JOB_LOCK_SECONDS: '3',
      SHUTDOWN_GRACE_SECONDS: '5',
      ...env,
    });
    workers.push(worker);
    return Object.assign(worker, { readyUrl: `http://127.0.0.1:${metricsPort}/readyz` });
  };

  const stack: Stack = {
    baseUrl,
    work,
    call,
    async credits() {
      return (await call('GET', '/v1/credits')).json as { balance: number; reserved: number };
    },
    async ledgerKindsFor(jobId) {
      const { json } = await call('GET', '/v1/credits/ledger?limit=100');
      const items = json.items as { kind: string; jobId?: string | null }[];
      return items
        .filter((entry) => entry.jobId === jobId)
        .map((entry) => entry.kind)
        .sort();
    },
    async workerIdOf(jobId) {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT worker_id FROM jobs WHERE id = $1`, [jobId]);
        return (rows[0]?.worker_id as string | null | undefined) ?? null;
      } finally {
        await client.end();
      }
    },
    async createJob(body) {
      const { status, json } = await call('POST', '/v1/jobs', body);
      expect(status, JSON.stringify(json)).toBe(202);
      return json.id as string;
    },
    async downloadVideo(jobId) {
      const redirect = await fetch(`${baseUrl}/v1/jobs/${jobId}/video`, {
        headers: { Authorization: USER },
        redirect: 'manual',
      });
      expect(redirect.status).toBe(302);
      const location = redirect.headers.get('location');
      if (!location) throw new Error('The video redirect has no location');
      const video = await fetch(location);
      expect(video.status).toBe(200);
      const path = join(work, `${jobId}.mp4`);
      writeFileSync(path, Buffer.from(await video.arrayBuffer()));
      return path;
    },
    startWorker,
    async startReadyWorker(env) {
      const worker = startWorker(env);
      await waitForOk(worker.readyUrl, 60_000, worker);
      return worker;
    },
    async stop() {
      await Promise.allSettled(workers.map((worker) => worker.stop('SIGKILL')));
      await api.stop();
      await s3.close();
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
    },
  };

  try {
    await waitForOk(`${baseUrl}/ready`, 60_000, api);
    expect((await call('POST', '/v1/users/init')).status).toBeLessThan(300);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}
