import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built CLI, as `npx cineweave` runs it once built. */
export const CLI_ENTRY = join(import.meta.dirname, '..', '..', 'dist', 'main.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a process with only the environment given (plus PATH and HOME), so
 * nothing of the machine's (NO_COLOR, a real config dir) leaks in. `input` is piped to stdin.
 */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliRun> {
  return collect(spawn(process.execPath, [CLI_ENTRY, ...args], { env: baseEnv(env), stdio: 'pipe' }), input);
}

/**
 * Runs the built CLI in a pseudo-terminal (util-linux `script`), as a person at a terminal would:
 * stdout and stderr are a TTY, 120 columns wide. What the terminal received comes back as stdout.
 */
export function runCliInTerminal(args: string[], env: Record<string, string>): Promise<CliRun> {
  const command = [
    'stty cols 120 rows 40;',
    'exec',
    quote(process.execPath),
    quote(CLI_ENTRY),
    ...args.map(quote),
  ].join(' ');
  return collect(
    spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
      env: { ...baseEnv(env), SHELL: '/bin/sh', TERM: 'xterm-256color' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function baseEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env };
}

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function collect(child: ReturnType<typeof spawn>, input?: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (child.stdin) child.stdin.end(input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
