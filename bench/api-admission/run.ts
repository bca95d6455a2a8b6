// Admission benchmark: autocannon against POST /v1/jobs (API-key auth, the path scripts use)
// at 32 connections, while pgbench -N (simple updates) runs at 32 clients on the same Postgres.
// Prints admissions/s, p50/p99 latency, pgbench tps and the ratio of the two.
//
//   npx nx build api && node bench/api-admission/run.ts [--duration 20] [--connections 32]
//
// Needs Postgres on 127.0.0.1:5432 (trust, user postgres), Redis on 127.0.0.1:6379 and
// /usr/bin/pgbench. Everything it creates (two databases, Redis keys) is removed at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as IORedis from 'ioredis';
import type * as Pg from 'pg';
import type * as AdmissionStatement from '../../services/api/src/modules/jobs/admission/admission.repository.ts';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (options: Record<string, unknown>) => Promise<AutocannonResult>;
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};
const pg = require('pg') as typeof Pg;
const { Redis } = require('ioredis') as typeof IORedis;

interface AutocannonResult {
  duration: number;
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    users: { type: 'string', default: '32' },
    processes: { type: 'string', default: '1' },
    // sequential: pgbench alone, then the API alone, on the same Postgres (each gets the whole
    // machine, so the ratio compares admission with Postgres's own simple-update throughput);
    // concurrent: both at once, sharing the two cores.
    mode: { type: 'string', default: 'sequential' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const users = Number(values.users);

const root = join(import.meta.dirname, '..', '..');
const PG = 'postgres://postgres@127.0.0.1:5432';
const suffix = randomBytes(3).toString('hex');
const apiDb = `cw_bench_api_${suffix}`;
const pgbenchDb = `cw_bench_pgb_${suffix}`;
const prefix = `cwbench-${suffix}`;
const port = 3900 + Math.floor(Math.random() * 90);
const base = `http://127.0.0.1:${port}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Postgres's WAL position in bytes: the difference over a run is what it wrote to its log. */
async function walBytes(): Promise<number> {
  const client = new pg.Client({ connectionString: `${PG}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS bytes`,
    );
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${out}`)),
    );
  });
}

async function call(path: string, init: RequestInit & { auth: string }): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { Authorization: init.auth, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function waitReady(): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('The API did not become ready within 240 s');
}

/** CPU seconds used so far by every process, with its role: the API, Postgres, Redis or this script. */
function cpuByProcess(apiPid: number): Map<number, { role: string; seconds: number }> {
  const ticks = 100; // USER_HZ on Linux
  const processes = new Map<number, { role: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticks;
    const role =
      pid === apiPid || ppid === apiPid
        ? 'api'
        : pid === process.pid
          ? 'load generator'
          : comm.startsWith('postgres') || comm === 'postmaster'
            ? 'postgres'
            : comm.startsWith('redis')
              ? 'redis'
              : 'other';
    processes.set(pid, { role, seconds });
  }
  return processes;
}

/** CPU milliseconds per admission by role, between two snapshots (processes started meanwhile count whole). */
function cpuPerAdmission(
  before: Map<number, { role: string; seconds: number }>,
  after: Map<number, { role: string; seconds: number }>,
  admitted: number,
): string {
  const byRole = new Map<string, number>();
  for (const [pid, { role, seconds }] of after) {
    byRole.set(role, (byRole.get(role) ?? 0) + seconds - (before.get(pid)?.seconds ?? 0));
  }
  return [...byRole]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, seconds]) => `${role} ${((seconds * 1000) / admitted).toFixed(3)}`)
    .join(', ');
}

/**
 * Runs the API's own admission statement (from its build) on 32 connections for `seconds`,
 * one account per connection as the HTTP run does, and reports statements per second.
 */
async function replayAdmissionStatement(seconds: number): Promise<{ perSecond: number; p99: number }> {
  const statement = (await import(
    join(root, 'services/api/dist/modules/jobs/admission/admission.repository.js')
  )) as typeof AdmissionStatement;
  const owner = new pg.Client({ connectionString: `${PG}/${apiDb}` });
  await owner.connect();
  const accounts = (await owner.query(`SELECT id, user_id FROM accounts WHERE user_id LIKE 'bench-user-%'`))
    .rows as { id: string; user_id: string }[];
  await owner.end();
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    accounts.map(async (account) => {
      const client = new pg.Client({ connectionString: `${PG}/${apiDb}` });
      await client.connect();
      while (Date.now() < deadline) {
        const jobId = randomUUID();
        const attemptToken = randomUUID();
        const begun = performance.now();
        await client.query({
          name: statement.ADMISSION_STATEMENT_NAME,
          text: statement.ADMISSION_STATEMENT,
          values: statement.admissionParameters([
            {
              jobId,
              accountId: account.id,
              userId: account.user_id,
              source: 'api',
              externalRef: null,
              prompt: 'a red kite over green hills',
              negativePrompt: null,
              imageUploadId: null,
              imageKey: null,
              imageSha256: null,
              resolution: '640x352',
              durationSeconds: 1,
              fps: 24,
              seed: 42,
              steps: 30,
              guidanceScale: 5,
              model: 'wan2.2-ti2v-5b',
              preset: 'quality',
              priority: 50,
              credits: 1,
              attemptToken,
              topic: 'bench-replay',
              defaultActiveJobLimit: 100_000_000,
              webhookUrl: null,
            },
          ]),
        });
        latencies.push(performance.now() - begun);
      }
      await client.end();
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / ((Date.now() - started) / 1000),
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
  };
}

/**
 * From the API's /metrics (one API process: its own figures): the admission batch-size
 * histogram's running totals, and its event loop's delay since the previous scrape (prom-client
 * resets that histogram at every scrape), which tells stalls in the API from stalls elsewhere.
 */
async function apiFigures(): Promise<{ count: number; sum: number; loopP99Ms: number; loopMaxMs: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    count: read('cineweave_admission_batch_size_count'),
    sum: read('cineweave_admission_batch_size_sum'),
    loopP99Ms: read('cineweave_api_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: read('cineweave_api_nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

let api: ChildProcess | undefined;
const s3Dir = mkdtempSync(join(tmpdir(), 'cw-bench-s3-'));
const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir });

try {
  await admin(`CREATE DATABASE ${apiDb}`);
  await admin(`CREATE DATABASE ${pgbenchDb}`);
  const s3Address = await s3.run();
  const profile = process.env['BENCH_PROFILE_DIR']
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env['BENCH_PROFILE_DIR']}`]
    : [];
  // BENCH_API_NODE_ARGS: extra Node flags for the API process (e.g. --trace-gc) when investigating.
  const nodeArgs = (process.env['BENCH_API_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  api = spawn(process.execPath, [...profile, ...nodeArgs, join(root, 'services/api/dist/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: `${PG}/${apiDb}`,
      DB_MIGRATE: 'true',
      DB_POOL_SIZE: String(Math.max(4, Math.ceil(32 / Number(values.processes)))),
      API_PROCESSES: values.processes,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      QUEUE_PREFIX: prefix,
      S3_ENDPOINT: `http://127.0.0.1:${s3Address.port}`,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: 'cineweave',
      AUTH_MODE: 'dev',
      INTERNAL_TOKEN: randomBytes(16).toString('hex'),
      // Credits and the active-job limit must not be what stops admissions here.
      MAX_ACTIVE_JOBS_PER_USER: '100000000',
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitReady();
  await run('pgbench', ['-i', '-q', '-s', '10', '-h', '127.0.0.1', '-U', 'postgres', pgbenchDb]);

  // One API key per user, each user with ample credits: the benchmark measures admission, not refusal.
  const keys: string[] = [];
  for (let i = 0; i < users; i++) {
    const user = `bench-user-${i}`;
    await call('/v1/users/init', { method: 'POST', auth: `Bearer dev:${user}` });
    await call('/v1/admin/credits/grant', {
      method: 'POST',
      auth: 'Bearer dev:bench-admin:admin',
      body: JSON.stringify({ userId: user, amount: 1_000_000, reason: 'benchmark credits' }),
    });
    const key = await call('/v1/api-keys', {
      method: 'POST',
      auth: `Bearer dev:${user}`,
      body: '{"name":"bench"}',
    });
    keys.push(String(key['key']));
  }

  const body = JSON.stringify({
    prompt: 'a red kite over green hills',
    resolution: '640x352',
    durationSeconds: 1,
  });
  let nextKey = 0;
  const cannon = (seconds: number) =>
    autocannon({
      url: `${base}/v1/jobs`,
      connections,
      duration: seconds,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      requests: [
        {
          setupRequest: (request: { headers: Record<string, string> }, context: { key?: string }) => {
            context.key ??= keys[nextKey++ % keys.length];
            request.headers = { ...request.headers, authorization: `Bearer ${context.key}` };
            return request;
          },
        },
      ],
    });

  await cannon(3); // warm-up: JIT, pools, caches
  const pgbench = () =>
    run('pgbench', [
      '-N',
      '-c',
      '32',
      '-j',
      '2',
      '-T',
      String(duration),
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      pgbenchDb,
    ]);
  let http: AutocannonResult;
  let pgbenchOut: string;
  let cpuLine = '';
  let batchLine = '';
  let walLine = '';
  if (values.mode === 'concurrent') {
    [http, pgbenchOut] = await Promise.all([cannon(duration), pgbench()]);
  } else {
    pgbenchOut = await pgbench();
    // Unmeasured: for a second or so after pgbench's 32 clients exit, Postgres answers nobody
    // (every request of the first moment waited ~0.4-0.8 s), which is pgbench's tail, not the API's.
    await cannon(2);
    const before = cpuByProcess(api.pid ?? -1);
    const figuresBefore = await apiFigures();
    const walBefore = await walBytes();
    http = await cannon(duration);
    const after = cpuByProcess(api.pid ?? -1);
    const walAfter = await walBytes();
    const figuresAfter = await apiFigures();
    cpuLine = `  CPU ms / admission ${cpuPerAdmission(before, after, Math.max(1, http['2xx']))}`;
    walLine = `  WAL / admission    ${((walAfter - walBefore) / Math.max(1, http['2xx'])).toFixed(0)} bytes (relay included)`;
    const batches = figuresAfter.count - figuresBefore.count;
    if (batches > 0 && values.processes === '1') {
      batchLine =
        `  admission batches  ${batches} statements, ${((figuresAfter.sum - figuresBefore.sum) / batches).toFixed(1)} admissions each on average\n` +
        `  API event loop     delay p99 ${figuresAfter.loopP99Ms.toFixed(1)} ms, max ${figuresAfter.loopMaxMs.toFixed(1)} ms`;
    }
  }
  // The admission statement alone, straight from 32 Postgres connections with the API stopped
  // (no HTTP, no relay): about the most admission could do on this Postgres, whatever the API did.
  let statementOnly: { perSecond: number; p99: number } | null = null;
  if (values.mode !== 'concurrent') {
    const stopped = new Promise((resolve) => api?.once('exit', resolve));
    api.kill('SIGTERM');
    await stopped;
    api = undefined;
    statementOnly = await replayAdmissionStatement(duration);
  }
  const tps = Number(/tps = ([\d.]+)/.exec(pgbenchOut)?.[1] ?? NaN);
  const admitted = http['2xx'];
  const admissionsPerSecond = admitted / http.duration;
  const ratio = admissionsPerSecond / tps;

  console.log(
    `\nAPI admission benchmark (POST /v1/jobs, API-key auth, pgbench -N ${values.mode === 'concurrent' ? 'at the same time' : 'just before'})`,
  );
  console.log(
    `  duration           ${duration} s, ${connections} connections, ${users} accounts, ${values.processes} API process(es)`,
  );
  console.log(
    `  admissions/s       ${admissionsPerSecond.toFixed(1)} (${admitted} admitted, ${http.non2xx} non-2xx, ${http.errors} errors)`,
  );
  console.log(
    `  latency p50 / p99  ${http.latency.p50} ms / ${http.latency.p99} ms (max ${http.latency.max} ms)`,
  );
  console.log(`  pgbench -N tps     ${tps.toFixed(1)} (32 clients, same Postgres, same run)`);
  if (cpuLine) console.log(cpuLine);
  if (batchLine) console.log(batchLine);
  if (walLine) console.log(walLine);
  console.log(`  ratio              ${ratio.toFixed(3)} (target >= 0.5)`);
  if (statementOnly) {
    console.log(
      `  statement alone    ${statementOnly.perSecond.toFixed(1)}/s (32 pg connections, no API), ratio ${(statementOnly.perSecond / tps).toFixed(3)}, p99 ${statementOnly.p99.toFixed(1)} ms`,
    );
  }
  console.log(`  p99 target         ${http.latency.p99 <= 50 ? 'met' : 'missed'} (<= 50 ms)`);
  console.log(
    JSON.stringify({
      admissionsPerSecond,
      p50: http.latency.p50,
      p99: http.latency.p99,
      pgbenchTps: tps,
      ratio,
      non2xx: http.non2xx,
      statementOnlyPerSecond: statementOnly?.perSecond ?? null,
    }),
  );
} finally {
  if (api) {
    api.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  await s3.close().catch(() => undefined);
  rmSync(s3Dir, { recursive: true, force: true });
  const redis = new Redis('redis://127.0.0.1:6379');
  const stale = await redis.keys(`${prefix}*`);
  if (stale.length > 0) await redis.del(...stale);
  await redis.quit();
  await admin(`DROP DATABASE IF EXISTS ${apiDb} WITH (FORCE)`).catch(() => undefined);
  await admin(`DROP DATABASE IF EXISTS ${pgbenchDb} WITH (FORCE)`).catch(() => undefined);
}
