// The local stack protects itself: the worker process killed in the middle of a job comes back on
// its own, the API and the portal keep serving, and the job is rendered again by the restarted
// worker (BullMQ's retry after the dead worker's lock expires). Runs `up.ts` as `npm run up` does,
// with its own state folder and ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const upScript = join(import.meta.dirname, 'up.ts');
const work = mkdtempSync(join(tmpdir(), 'cineweave-restart-'));
// As root, the embedded Postgres runs as the postgres user, which must be able to enter the folder.
chmodSync(work, 0o755);

let child: ChildProcess | undefined;
let output = '';

async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (child?.exitCode !== null && child?.exitCode !== undefined)
      throw new Error(`The runner exited before ${what}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`No ${what} within ${timeoutMs / 1000} s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function stopStack(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child?.once('close', resolve));
  try {
    process.kill(-(child.pid as number), 'SIGINT');
  } catch {
    // Already gone.
  }
  await exited;
}

describe('npm run up restarts a process that dies', () => {
  afterAll(async () => {
    await stopStack();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it(
    'should bring a killed worker back, keep serving, and render the job it was running again',
    async () => {
      child = spawn(process.execPath, ['--conditions=@cineweave/source', upScript, '--no-kubernetes'], {
        env: {
          ...Object.fromEntries(
            Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$)/.test(name)),
          ),
          CINEWEAVE_STATE_DIR: work,
          DATABASE_URL: '',
          REDIS_URL: '',
          S3_ENDPOINT: '',
          PORT: '0',
          WEB_PORT: '0',
        },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitFor(() => /^Ctrl-C stops the stack/m.test(output), 'Ready block', 600_000);

      const apiUrl = (/API docs\s+(http:\/\/127\.0\.0\.1:\d+)\/docs/.exec(output) ?? [])[1] as string;
      const portalUrl = (/Portal\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output) ?? [])[1] as string;
      const userId = (/\(sign in as (\S+)\)/.exec(output) ?? [])[1] as string;
      expect(apiUrl && portalUrl && userId, output).toBeTruthy();
      const auth = { Authorization: `Bearer dev:${userId}` };
      const job = async (id: string) =>
        (await (await fetch(`${apiUrl}/v1/jobs/${id}`, { headers: auth })).json()) as {
          status: string;
          progress: number;
        };

      // Enough steps that it is still denoising when the worker dies.
      const created = await fetch(`${apiUrl}/v1/jobs`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          prompt: 'a lighthouse in the rain',
          resolution: '352x640',
          durationSeconds: 1,
          fps: 8,
          steps: 50,
        }),
      });
      expect(created.status).toBe(202);
      const { id } = (await created.json()) as { id: string };
      await waitFor(async () => (await job(id)).progress > 0, 'progress on the job', 120_000);

      const workerPid = Number(readFileSync(join(work, 'run', 'gpu-worker.pid'), 'utf8'));
      process.kill(workerPid, 'SIGKILL');
      await waitFor(
        () =>
          /gpu-worker stopped \(killed by SIGKILL\) after .+; restarting it in .+ \(log: .+gpu-worker\.log\)/.test(
            output,
          ),
        'restart line',
        30_000,
      );
      // The rest of the stack did not stop with it.
      expect((await fetch(`${apiUrl}/ready`)).status).toBe(200);
      expect((await fetch(`${portalUrl}/`)).status).toBe(200);
      await waitFor(() => output.includes('✓ gpu-worker is back'), 'the worker back', 180_000);
      expect(Number(readFileSync(join(work, 'run', 'gpu-worker.pid'), 'utf8'))).not.toBe(workerPid);

      // The job it was rendering is taken by the restarted worker once the dead one's lock expires.
      await waitFor(async () => (await job(id)).status === 'succeeded', 'the job rendered again', 240_000);
      const workerLog = readFileSync(join(work, 'logs', 'gpu-worker.log'), 'utf8');
      const starts = workerLog
        .split('\n')
        .filter((line) => line.includes(id) && line.includes('Started job'));
      expect(starts.length, workerLog.slice(-4000)).toBe(2);
      expect(output).not.toMatch(/Stopping…/);

      await stopStack();
      expect(output).toMatch(/^Stopped\.$/m);
    },
    20 * 60_000,
  );
});
