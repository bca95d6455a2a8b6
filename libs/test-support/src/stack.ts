// Test-only: the whole CineWeave back end for an end-to-end suite, as the local stack runs it —
// the built API (and a CPU worker with the tiny test model) as processes, a Postgres database and
// Redis prefix of the suite's own, and an S3-protocol server. Used by suites that drive the
// product from outside (the CLI's; the portal's and the worker's start the same pieces).
import S3rver from '@20minutes/s3rver';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startService, waitForOk, type ServiceProcess } from './processes.ts';

export const WORKSPACE_ROOT = join(import.meta.dirname, '..', '..', '..');
export const API_ENTRY = join(WORKSPACE_ROOT, 'services', 'api', 'dist', 'main.js');
export const WORKER_ENTRY = join(WORKSPACE_ROOT, 'services', 'gpu-worker', 'dist', 'main.js');

/**
 * What the stacks' CPU worker serves: the tiny random-weight model under its own catalog id, with
 * limits small enough that a CPU renders any job it is given in seconds.
 */
export const TINY_MODEL = { id: 'wan2.2-tiny-test', maxResolution: '640x352', maxFrames: 49 } as const;
export const ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A port for a child process that cannot report the one the system gave it: free when asked, and
 * below Linux's ephemeral range (32768+), where outgoing connections could take it before the child
 * listens (a random port up to 40000 once collided with one).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '0.0.0.0', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Runs a command from the workspace root; on failure, throws with what it printed. */
export function runChecked(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  try {
    execFileSync(command, args, {
      cwd: WORKSPACE_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${stdout?.toString() ?? ''}\n${stderr?.toString() ?? ''}`,
    );
  }
}

/** Builds Nx projects as CI would (Nx caches them, so a second run only checks their inputs). */
export function buildProjects(projects: string[]): void {
  runChecked('npx', ['nx', 'run-many', '-t', 'build', '-p', projects.join(','), '--outputStyle=static'], {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
  });
}

/** The tiny, Wan-shaped test model the CPU worker runs in seconds. */
export function buildTinyModel(outDir: string): void {
  runChecked('npm', [
    'run',
    '--silent',
    '-w',
    'models/wan22',
    'build-model',
    '--',
    '--tiny',
    '--out',
    outDir,
  ]);
}

export async function createDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Deletes every key under `prefix` (BullMQ's and the API's), leaving Redis as it was found. */
export async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Nothing to clean if Redis is gone.
  } finally {
    redis.disconnect();
  }
}

export interface StackOptions {
  /** Names the suite's database (`cw_<name>_<hex>`) and Redis prefix (`cw-<name>-<hex>`). */
  name: string;
  /** Nx projects to build before starting (the API and the worker are always built). */
  build?: string[];
  /** Start a CPU worker with the tiny model, ready before `startStack` resolves. */
  worker?: boolean;
  /** Added to (or replacing) the API's environment. */
  apiEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}

export interface Stack {
  apiUrl: string;
  s3Endpoint: string;
  /** The API's environment (all but PORT), for a scenario that runs a second API beside it. */
  apiEnv: Record<string, string>;
  api: ServiceProcess;
  worker: ServiceProcess | null;
  /** The suite's scratch directory (model, S3 files), removed by `stop`. */
  work: string;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const suffix = randomBytes(4).toString('hex');
  const database = `cw_${options.name.replaceAll('-', '_')}_${suffix}`;
  const prefix = `cw-${options.name}-${suffix}`;
  const work = mkdtempSync(join(tmpdir(), `cw-${options.name}-`));
  const services: ServiceProcess[] = [];
  let s3: S3rver | undefined;
  let databaseCreated = false;

  async function stop(): Promise<void> {
    await Promise.allSettled(services.map((service) => service.stop()));
    await s3?.close().catch(() => undefined);
    if (databaseCreated) await dropDatabase(database);
    await removeRedisKeys(prefix);
    rmSync(work, { recursive: true, force: true });
  }

  try {
    buildProjects([...new Set(['api', ...(options.worker ? ['gpu-worker'] : []), ...(options.build ?? [])])]);
    const modelDir = join(work, 'model');
    if (options.worker) buildTinyModel(modelDir);

    await createDatabase(database);
    databaseCreated = true;
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(work, 's3') });
    const s3Endpoint = `http://127.0.0.1:${((await s3.run()) as AddressInfo).port}`;
    const storage = {
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'cineweave',
    };

    const apiEnv: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      DB_MIGRATE: 'true',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      QUEUE_PREFIX: prefix,
      ...storage,
      AUTH_MODE: 'dev',
      INTERNAL_TOKEN: `internal-token-${options.name}-0123456789`,
      OUTBOX_POLL_MS: '100',
      RATE_LIMIT_PER_MINUTE: '100000',
      // The stack's worker renders the tiny random-weight model: jobs that name no model get it.
      ...(options.worker ? { DEFAULT_MODEL: TINY_MODEL.id } : {}),
      ...options.apiEnv,
    };
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const api = startService(API_ENTRY, { ...apiEnv, PORT: String(apiPort) });
    services.push(api);

    let worker: ServiceProcess | null = null;
    const ready = [waitForOk(`${apiUrl}/ready`, 90_000, api)];
    if (options.worker) {
      const metricsPort = await freePort();
      worker = startService(WORKER_ENTRY, {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        ...storage,
        MODEL_DIR: modelDir,
        DEVICE: 'cpu',
        METRICS_PORT: String(metricsPort),
        SHUTDOWN_GRACE_SECONDS: '5',
        MODEL_ID: TINY_MODEL.id,
        WORKER_MAX_RESOLUTION: TINY_MODEL.maxResolution,
        WORKER_MAX_FRAMES: String(TINY_MODEL.maxFrames),
        ...options.workerEnv,
      });
      services.push(worker);
      ready.push(waitForOk(`http://127.0.0.1:${metricsPort}/readyz`, 90_000, worker));
    }
    await Promise.all(ready);
    return { apiUrl, s3Endpoint, apiEnv, api, worker, work, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
