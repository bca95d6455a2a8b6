import S3rver from '@20minutes/s3rver';
import {
  API_ENTRY,
  type ServiceProcess,
  buildProjects,
  createDatabase,
  dropDatabase,
  removeRedisKeys,
  startService,
  waitForOk,
} from '@cineweave/test-support';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_ID,
  JOB_NAMES,
  QUEUE_NAMES,
  type VideoJobPayload,
  resultJobId,
  workQueueName,
} from '@cineweave/contracts';
import { Queue, Worker } from 'bullmq';
import { checkInvariants, eventually, sleep } from './support/harness.ts';

/** SIGKILLs per run: a few in CI; `node bench/api-faults/run.ts --long` runs many more. */
const KILLS = Number(process.env.FAULTS_KILLS ?? 4);
const CLIENTS = 8;
const USERS = 4;
const SMALL_JOB = { resolution: '640x352', durationSeconds: 1 };

interface Sent {
  key: string;
  user: string;
  body: Record<string, unknown>;
  /** 0 when the connection died with the process. */
  status: number;
  id?: string;
}

/**
 * The built API as a process, SIGKILLed at random moments while clients submit jobs with
 * Idempotency-Keys. After every kill it restarts; then every request whose answer was lost is
 * retried with its key, as a client would. Every accepted job must exist, each key must name at
 * most one job (one reservation), and the ledger invariants must hold.
 */
describe('faults: API killed under admission bursts', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `cw_faults_kill_${suffix}`;
  const prefix = `cw-faults-kill-${suffix}`;
  const work = mkdtempSync(join(tmpdir(), 'cw-faults-kill-'));
  let s3: S3rver;
  let db: pg.Pool;
  let env: Record<string, string>;
  let api: ServiceProcess | undefined;
  let url = '';

  /** A port nothing listens on now (the machine is shared: a random one may be taken). */
  function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
  }

  async function startApi(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      api = startService(API_ENTRY, { ...env, PORT: String(port) });
      try {
        await waitForOk(`${url}/health`, 60_000, api);
        return;
      } catch (error) {
        // Another process took the port between the probe and the listen: try another.
        if (attempt >= 5 || !api.output().includes('EADDRINUSE')) throw error;
      }
    }
  }

  beforeAll(async () => {
    buildProjects(['api']);
    await createDatabase(database);
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(work, 's3') });
    const s3Port = ((await s3.run()) as AddressInfo).port;
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
      DB_MIGRATE: 'true',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      QUEUE_PREFIX: prefix,
      S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'cineweave',
      AUTH_MODE: 'dev',
      INTERNAL_TOKEN: 'internal-token-faults-kill-0123456789',
      ADMIN_USER_IDS: 'root-admin',
      MAX_ACTIVE_JOBS_PER_USER: '100000',
      RATE_LIMIT_PER_MINUTE: '1000000',
      OUTBOX_POLL_MS: '100',
      BACKGROUND_TASKS: 'false',
    };
    db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
    // pool.end() resolves before its clients' sockets close, so dropping the database right after
    // can terminate a client mid-close ("terminating connection due to administrator command"), an
    // 'error' event nobody listens to any more: that is the teardown, not a finding.
    db.on('connect', (client) => client.on('error', () => undefined));
    await startApi();
  }, 240_000);

  afterAll(async () => {
    await api?.stop('SIGKILL');
    await db?.end();
    await s3?.close().catch(() => undefined);
    await dropDatabase(database).catch(() => undefined);
    await removeRedisKeys(prefix);
    rmSync(work, { recursive: true, force: true });
  });

  async function post(sent: Omit<Sent, 'status'>): Promise<{ status: number; id?: string }> {
    try {
      const response = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer dev:${sent.user}`,
          'content-type': 'application/json',
          'idempotency-key': sent.key,
        },
        body: JSON.stringify(sent.body),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await response.json()) as { id?: string };
      return { status: response.status, ...(response.status === 202 ? { id: body.id } : {}) };
    } catch {
      return { status: 0 };
    }
  }

  it('should lose no accepted job and charge each key once across random SIGKILLs', async () => {
    const users = Array.from({ length: USERS }, (_, i) => `killed-${i}`);
    for (const user of users) {
      expect(
        (
          await fetch(`${url}/v1/users/init`, {
            method: 'POST',
            headers: { authorization: `Bearer dev:${user}` },
          })
        ).status,
      ).toBe(200);
      const grant = await fetch(`${url}/v1/admin/credits/grant`, {
        method: 'POST',
        headers: { authorization: 'Bearer dev:root-admin:admin', 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user, amount: 1_000_000, reason: 'kill test' }),
      });
      expect(grant.status).toBe(200);
    }

    const sent: Sent[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      let running = true;
      const clients = Array.from({ length: CLIENTS }, async (_, c) => {
        for (let n = 0; running; n++) {
          const key = `kill-${kill}-${c}-${n}`;
          const request = { key, user: users[c % USERS], body: { ...SMALL_JOB, prompt: `burst ${key}` } };
          const answer = await post(request);
          sent.push({ ...request, ...answer });
          if (answer.status === 0) return;
        }
      });
      await sleep(200 + Math.random() * 1000);
      await api?.stop('SIGKILL');
      running = false;
      await Promise.all(clients);
      await startApi();
    }

    // Keys a request claimed in a transaction of its own, that its process died holding.
    const stranded = (
      await db.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE state = 'in_flight'`)
    ).rows[0].n as number;
    // A client that keeps retrying eventually outlives any abandoned claim (2 minutes).
    await db.query(
      `UPDATE idempotency_keys SET created_at = created_at - interval '3 minutes' WHERE state = 'in_flight'`,
    );

    // Every request whose answer was lost or not final is retried with its key until it is.
    const retried = sent.filter((s) => s.status !== 202 && s.status !== 402);
    for (const s of retried) {
      const answer = await post(s);
      expect([202, 402]).toContain(answer.status);
      s.status = answer.status;
      if (answer.id) s.id = answer.id;
    }
    const fiveHundreds = sent.filter((s) => s.status >= 500);
    expect(fiveHundreds).toEqual([]);

    // One job per key, and it is the one the key answered with.
    const jobs = await db.query(`SELECT id, prompt FROM jobs WHERE prompt LIKE 'burst kill-%'`);
    const byPrompt = new Map<string, string[]>();
    for (const row of jobs.rows as { id: string; prompt: string }[]) {
      byPrompt.set(row.prompt, [...(byPrompt.get(row.prompt) ?? []), row.id]);
    }
    const doubled = [...byPrompt].filter(([, ids]) => ids.length > 1).map(([prompt]) => prompt);
    for (const s of sent.filter((x) => x.status === 202)) {
      expect(byPrompt.get(`burst ${s.key}`)).toEqual([s.id]);
    }
    console.info(
      `api kills: ${KILLS} survived, ${sent.length} idempotent admissions, ` +
        `${retried.length} retried after a lost answer, ${stranded} keys stranded in flight, ` +
        `${doubled.length} keys with two jobs, ${jobs.rows.length} jobs all found`,
    );
    expect(doubled).toEqual([]);
    await checkInvariants(db);

    // Every accepted job reaches a worker through the outbox and settles exactly once.
    const connection = { host: '127.0.0.1', port: 6379 };
    const results = new Queue(QUEUE_NAMES.videoResults, { connection, prefix });
    const worker = new Worker<VideoJobPayload>(
      workQueueName(DEFAULT_MODEL_ID),
      async (job) => {
        const out = `outputs/${job.data.accountId}/${job.data.jobId}`;
        await results.add(
          JOB_NAMES.result,
          {
            jobId: job.data.jobId,
            attemptToken: job.data.attemptToken,
            outcome: 'succeeded',
            gpuSeconds: 1,
            videoKey: `${out}/video.mp4`,
            thumbnailKey: `${out}/thumbnail.webp`,
            durationSeconds: job.data.durationSeconds,
            frames: 25,
            modelHash: 'sha256:test',
            workerId: 'faults-kill',
          },
          { jobId: resultJobId(job.data.jobId, job.data.attemptToken) },
        );
      },
      { connection, prefix, concurrency: 32 },
    );
    try {
      const started = Date.now();
      await eventually(async () => {
        const r = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE status IN ('queued', 'running')`);
        return r.rows[0].n === 0;
      }, 120_000);
      const settled = await db.query(
        `SELECT count(*)::int AS n FROM jobs j WHERE status = 'succeeded'
            AND (SELECT count(*) FROM credit_ledger l WHERE l.job_id = j.id AND l.kind = 'capture') = 1`,
      );
      expect(settled.rows[0].n).toBe(jobs.rows.length);
      console.info(
        `api kills: all ${jobs.rows.length} jobs settled once in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      await checkInvariants(db);
    } finally {
      await worker.close();
      await results.close();
    }
  }, 300_000);
});
