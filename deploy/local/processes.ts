import { spawn, type ChildProcess } from 'node:child_process';
import { say } from './log.ts';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

/**
 * Starts a child in its own process group, so that stopping it also stops whatever it
 * started (npm, node, ffmpeg...), and prefixes every line it prints with its name.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { name, child, exited };
}

/** SIGTERM to the whole group, then SIGKILL if it is still there after the grace period. */
export async function stopProcess(process_: ManagedProcess, graceMs = 10_000): Promise<void> {
  const { child } = process_;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  const timedOut = await Promise.race([
    process_.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
  ]);
  if (timedOut) {
    say(`${process_.name} did not stop within ${graceMs / 1000} s: killing it`);
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
