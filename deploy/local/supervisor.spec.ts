import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startProcess, stopProcess, type ManagedProcess } from './processes.ts';
import { CrashCounter, DEFAULT_RESTART_POLICY, Supervisor, describeExit } from './supervisor.ts';

const logs = mkdtempSync(join(tmpdir(), 'cineweave-supervisor-'));
const started: ManagedProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((managed) => stopProcess(managed, 1_000, { announce: false })));
  rmSync(logs, { recursive: true, force: true });
});

/** A real child process running `script`, as the runner starts a service. */
function launch(name: string, script: string): ManagedProcess {
  const managed = startProcess(name, process.execPath, ['-e', script], {
    cwd: logs,
    env: process.env,
    logFile: join(logs, `${name}.log`),
    stream: false,
  });
  started.push(managed);
  return managed;
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('The condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const quick = { initialDelayMs: 50, maxDelayMs: 400, stableAfterMs: 2_000, maxFastCrashes: 3 };

describe(CrashCounter.name, () => {
  it('should double the pause after each fast crash, up to the limit, then give up', () => {
    const counter = new CrashCounter(DEFAULT_RESTART_POLICY);
    const decisions = [1, 2, 3, 4, 5, 6].map(() => counter.next(500));
    expect(decisions).toEqual([
      { restart: true, delayMs: 1_000 },
      { restart: true, delayMs: 2_000 },
      { restart: true, delayMs: 4_000 },
      { restart: true, delayMs: 8_000 },
      { restart: true, delayMs: 16_000 },
      { restart: false, crashes: 5 },
    ]);
  });

  it('should start counting again after a run that lasted', () => {
    const counter = new CrashCounter(quick);
    expect(counter.next(10)).toEqual({ restart: true, delayMs: 50 });
    expect(counter.next(10)).toEqual({ restart: true, delayMs: 100 });
    expect(counter.next(60_000)).toEqual({ restart: true, delayMs: 50 });
  });

  it('should say how a process ended', () => {
    expect(describeExit(1)).toBe('exit code 1');
    expect(describeExit('SIGKILL')).toBe('killed by SIGKILL');
  });
});

describe(Supervisor.name, () => {
  it('should restart a killed process, say which and why with its log, and say when it is back', async () => {
    const lines: string[] = [];
    const first = launch('gpu-worker', 'setInterval(() => {}, 1000)');
    const supervisor = new Supervisor(first, {
      start: () => launch('gpu-worker', 'setInterval(() => {}, 1000)'),
      waitReady: async () => undefined,
      stopping: () => false,
      say: (line) => lines.push(line),
      shown: (path) => path,
      policy: quick,
    });
    process.kill(first.child.pid as number, 'SIGKILL');
    await until(() => lines.some((line) => line.includes('is back')));
    expect(lines[0]).toMatch(
      new RegExp(
        `^gpu-worker stopped \\(killed by SIGKILL\\) after [\\d.]+ s; restarting it in 0\\.1 s \\(log: ${logs}/gpu-worker\\.log\\)$`,
      ),
    );
    expect(lines[1]).toBe('  ✓ gpu-worker is back');
    expect(supervisor.current).not.toBe(first);
    expect(supervisor.current.child.exitCode).toBeNull();
    expect(supervisor.gaveUp).toBe(false);
    supervisor.cancel();
  });

  it('should give up on a process that keeps crashing right after its start, and on it only', async () => {
    const lines: string[] = [];
    const crashing = 'console.log("cannot open the model"); process.exit(3)';
    let starts = 0;
    const neighbour = launch('api', 'setInterval(() => {}, 1000)');
    const supervisor = new Supervisor(launch('worker', crashing), {
      start: () => {
        starts += 1;
        return launch('worker', crashing);
      },
      waitReady: (managed) => managed.exited.then(() => Promise.reject(new Error('died'))),
      stopping: () => false,
      say: (line) => lines.push(line),
      shown: (path) => path,
      policy: quick,
    });
    await until(() => supervisor.gaveUp);
    // Three restarts (after 50, 100 and 200 ms), then the fourth fast crash ends it.
    expect(starts).toBe(3);
    expect(lines.filter((line) => line.includes('restarting it in'))).toHaveLength(3);
    expect(lines.filter((line) => line.includes('(exit code 3)'))).toHaveLength(4);
    const last = lines.findIndex((line) => line.includes('not restarting it'));
    expect(lines[last]).toContain('crashed 3 times in a row right after starting');
    expect(lines[last]).toContain('the rest of the stack keeps running');
    expect(lines.slice(last + 1)).toContain('    cannot open the model');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(starts).toBe(3);
    expect(neighbour.child.exitCode).toBeNull();
  });

  it('should restart nothing while the stack is stopping', async () => {
    const lines: string[] = [];
    let starts = 0;
    const first = launch('web', 'setInterval(() => {}, 1000)');
    new Supervisor(first, {
      start: () => {
        starts += 1;
        return launch('web', 'setInterval(() => {}, 1000)');
      },
      waitReady: async () => undefined,
      stopping: () => true,
      say: (line) => lines.push(line),
      shown: (path) => path,
      policy: quick,
    });
    await stopProcess(first, 1_000, { announce: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(starts).toBe(0);
    expect(lines).toEqual([]);
  });
});
