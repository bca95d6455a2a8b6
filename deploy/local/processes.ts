import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { isNoise } from './noise.ts';
import { say } from './terminal.ts';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** The file its output goes to. */
  logFile: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  /** Its last lines, for saying why it stopped. */
  lastLines(): string[];
}

const KEPT_LINES = 40;

/**
 * Starts a child in its own process group, so that stopping it also stops whatever it started
 * (ffmpeg, worker threads' helpers...). Everything it prints goes to `logFile`; with `stream`,
 * its lines also reach the terminal, prefixed with its name, less the library noise that means
 * nothing to a person (see noise.ts).
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; stream: boolean },
): ManagedProcess {
  const log = openLog(options.logFile, `${command} ${args.join(' ')}`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const kept: string[] = [];
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      log.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        kept.push(line);
        if (kept.length > KEPT_LINES) kept.shift();
        if (options.stream && !isNoise(line)) process.stdout.write(prefix + line + '\n');
      }
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      // The pipes may still hold the last words: let them reach the file first.
      setImmediate(() => log.end(() => resolve(code ?? signal ?? 'unknown')));
    }),
  );
  return { name, child, logFile: options.logFile, exited, lastLines: () => [...kept] };
}

/** Appends to a process's log, marking where this run starts. */
export function openLog(file: string, what: string): WriteStream {
  const log = createWriteStream(file, { flags: 'a' });
  log.write(`\n--- ${new Date().toISOString()} ${what}\n`);
  return log;
}

/** SIGTERM to the whole group, then SIGKILL if it is still there after the grace period. */
export async function stopProcess(
  process_: ManagedProcess,
  graceMs = 10_000,
  { announce = true } = {},
): Promise<void> {
  const { child } = process_;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  const timedOut = await Promise.race([
    process_.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
  ]);
  if (timedOut) {
    if (announce) say(`${process_.name} did not stop within ${graceMs / 1000} s: killing it`);
    signalGroup(child.pid, 'SIGKILL');
    await process_.exited;
  }
  // Grandchildren that ignored SIGTERM would outlive their parent: clear the group.
  signalGroup(child.pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
