import { spawn } from 'node:child_process';
import { openLog } from './processes.ts';

/**
 * Runs a one-off command (the Nx build, the tiny model) with its output in `logFile`. Resolves with
 * its last lines when it fails, so the terminal can show why without the whole log.
 */
export function runLogged(
  command: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; stream: boolean },
): Promise<{ ok: true } | { ok: false; lastLines: string[] }> {
  const log = openLog(options.logFile, command.join(' '));
  const [program, ...args] = command as [string, ...string[]];
  const child = spawn(program, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      log.write(chunk);
      if (options.stream) process.stdout.write(chunk);
      tail = (tail + chunk).slice(-8_000);
    });
  }
  return new Promise((resolve) => {
    child.once('error', (error) => {
      log.end(() => resolve({ ok: false, lastLines: [String(error)] }));
    });
    child.once('close', (code) => {
      log.end(() =>
        resolve(code === 0 ? { ok: true } : { ok: false, lastLines: tail.trimEnd().split('\n').slice(-25) }),
      );
    });
  });
}
