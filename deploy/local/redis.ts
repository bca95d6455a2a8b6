import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { ensureDir } from './state.ts';
import { pickPort } from './ports.ts';
import { fail, up } from './terminal.ts';
import { leaveRunning, type RunningService } from './postgres.ts';

/**
 * Redis for the local stack: REDIS_URL when given, else `redis-server` from PATH with its
 * data in `<stateDir>/redis`. Redis only carries work (Postgres is the source of truth), but
 * append-only persistence keeps queued work across a restart of the stack.
 */
export async function startRedis(stateDir: string, logFile: string): Promise<RunningService> {
  if (process.env.REDIS_URL) {
    up('Redis', 'yours, from REDIS_URL');
    return { url: process.env.REDIS_URL, stop: leaveRunning };
  }
  if (spawnSync('redis-server', ['--version']).error) {
    fail(
      'Redis: no REDIS_URL and no redis-server on PATH. Install it (Debian/Ubuntu: `apt-get install redis-server`, ' +
        'macOS: `brew install redis`) or set REDIS_URL=redis://host:6379.',
    );
  }
  const dir = ensureDir(join(stateDir, 'redis'));
  const port = await pickPort(63799);
  const child = spawn(
    'redis-server',
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      // BullMQ needs keys never to be evicted.
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'no',
      '--logfile',
      logFile,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPort(port, 10_000);
  up('Redis', `redis-server, 127.0.0.1:${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => socket.end(() => resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail(`Redis: redis-server did not listen on port ${port} within ${timeoutMs / 1000} s`);
}
