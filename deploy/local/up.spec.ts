import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPortFree } from './ports.ts';

const upScript = join(import.meta.dirname, 'up.ts');
const stateDir = mkdtempSync(join(tmpdir(), 'cineweave-up-'));
// As root, the embedded Postgres runs as the postgres user, which must be able to enter the folder.
chmodSync(stateDir, 0o755);

interface Run {
  child: ChildProcess;
  output: () => string;
  ready: Promise<number>;
}

const runs: Run[] = [];

function startStack(): Run {
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    ['--conditions=@cineweave/source', upScript, '--infrastructure-only'],
    {
      env: {
        ...process.env,
        CINEWEAVE_STATE_DIR: stateDir,
        DATABASE_URL: '',
        REDIS_URL: '',
        S3_ENDPOINT: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Ctrl-C stops them/m.test(output)) resolve(Date.now() - startedAt);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`up.ts exited with ${code} before it was ready:\n${output}`)),
    );
  });
  const run = { child, output: () => output, ready };
  runs.push(run);
  return run;
}

function portsIn(output: string): number[] {
  return [...new Set([...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1])))];
}

/** Command lines of live processes that mention the state folder (postgres, redis-server...). */
function processesUsing(dir: string): string[] {
  const table = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return table.split('\n').filter((line) => line.includes(dir) && !line.includes('vitest'));
}

async function interrupt(run: Run): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
  run.child.kill('SIGINT');
  return exited;
}

describe('npm run up (infrastructure)', () => {
  afterAll(async () => {
    // A failed assertion must not leave a stack (and its Postgres and Redis) running.
    for (const run of runs) if (run.child.exitCode === null) await interrupt(run);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('should start Postgres, Redis and S3, print their URLs, and leave nothing behind on Ctrl-C', async () => {
    const first = startStack();
    await first.ready;
    const ports = portsIn(first.output());
    expect(ports).toHaveLength(3);
    expect(first.output()).toMatch(/^ {2}DATABASE_URL=postgres:\/\//m);
    expect(first.output()).toContain(`logs in ${stateDir}/logs/`);
    for (const port of ports) expect(await isPortFree(port)).toBe(false);

    expect(await interrupt(first)).toBe(0);
    expect(first.output()).toContain('Stopped.');
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
    expect(processesUsing(stateDir)).toEqual([]);
  });

  it('should start again from its kept data in under 30 seconds', async () => {
    const second = startStack();
    const millis = await second.ready;
    expect(second.output()).not.toContain('initialising');
    expect(millis).toBeLessThan(30_000);
    expect(await interrupt(second)).toBe(0);
  });
});
