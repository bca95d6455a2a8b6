// Starts the whole CineWeave stack once for the suite, as the local stack runs it: the production
// portal build behind its own server (proxying the API on one origin), the built API and CPU
// worker as processes, a Postgres database and Redis prefix of its own, and an S3-protocol server.
import S3rver from '@20minutes/s3rver';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPortalServer } from '../../../server/serve.mjs';
import {
  buildTinyModel,
  startService,
  TINY_MODEL,
  waitForOk,
  type ServiceProcess,
} from '@cineweave/test-support';
import {
  API_ENTRY,
  FORM_DEFAULTS,
  PORTAL_ROOT,
  SCREENSHOT_DIR,
  WORKSPACE_ROOT,
  freePort,
  type StackInfo,
} from './stack.ts';

const root = WORKSPACE_ROOT;
const ADMIN_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** Runs a command from the workspace root; on failure, throws with what it printed. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  try {
    execFileSync(command, args, {
      cwd: root,
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const suffix = randomBytes(4).toString('hex');
  const database = `cw_web_e2e_${suffix}`;
  const prefix = `cw-web-e2e-${suffix}`;
  const work = mkdtempSync(join(tmpdir(), 'cw-web-e2e-'));
  const modelDir = join(work, 'model');
  const services: ServiceProcess[] = [];
  let s3: S3rver | undefined;
  let portal: Server | undefined;
  let databaseCreated = false;

  async function teardown(): Promise<void> {
    await Promise.allSettled(services.map((service) => service.stop()));
    if (portal) {
      portal.closeAllConnections();
      await new Promise((resolve) => portal?.close(resolve));
    }
    await s3?.close().catch(() => undefined);
    if (databaseCreated) {
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
    // BullMQ and the API's event keys live under the run's own prefixes: leave Redis as found.
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
    rmSync(work, { recursive: true, force: true });
  }

  try {
    // What the browser and processes run is what ships: the production portal build, the built
    // API and worker (Nx caches them, so a second run only checks their inputs).
    run('npx', ['nx', 'run-many', '-t', 'build', '-p', 'web,api,gpu-worker', '--outputStyle=static'], {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
    });
    buildTinyModel(modelDir);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });

    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    databaseCreated = true;
    await admin.end();

    s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      // No CORS rule on the bucket, as the local stack's: playing and saving must not need one.
      directory: join(work, 's3'),
    });
    const s3Endpoint = `http://127.0.0.1:${((await s3.run()) as AddressInfo).port}`;
    const storage = {
      S3_ENDPOINT: s3Endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'cineweave',
    };

    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
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
      INTERNAL_TOKEN: 'internal-token-web-e2e-0123456789',
      OUTBOX_POLL_MS: '100',
      RATE_LIMIT_PER_MINUTE: '100000',
      // The portal's form starts at what the CPU worker renders in seconds (as the local stack does).
      FORM_DEFAULT_QUALITY: FORM_DEFAULTS.quality,
      FORM_DEFAULT_DURATION_SECONDS: String(FORM_DEFAULTS.durationSeconds),
      FORM_DEFAULT_STEPS: String(FORM_DEFAULTS.steps),
      // The worker serves the tiny random-weight model under its own catalog id.
      DEFAULT_MODEL: TINY_MODEL.id,
      // Webhook receivers of the scenarios listen on loopback; retries and disabling run in seconds.
      SSRF_ALLOW_CIDRS: '127.0.0.0/8',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '400',
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_DISABLE_AFTER_FAILURES: '3',
      WEBHOOK_POLL_MS: '100',
    };
    const api = startService(API_ENTRY, { ...apiEnv, PORT: String(apiPort) });
    services.push(api);

    const metricsPort = await freePort();
    const worker = startService(join(root, 'services/gpu-worker/dist/main.js'), {
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
    });
    services.push(worker);

    portal = createPortalServer({ root: PORTAL_ROOT, apiProxyTarget: apiUrl });
    const portalServer = portal;
    const portalPort = await new Promise<number>((resolve) =>
      portalServer.listen(0, '127.0.0.1', () => resolve((portalServer.address() as AddressInfo).port)),
    );

    await Promise.all([
      waitForOk(`${apiUrl}/ready`, 90_000, api),
      waitForOk(`http://127.0.0.1:${metricsPort}/readyz`, 90_000, worker),
    ]);

    const info: StackInfo = { portalUrl: `http://127.0.0.1:${portalPort}`, apiUrl, s3Endpoint, apiEnv };
    project.provide('stack', info);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
