// The README's quick start and "Kubernetes on your machine" sections, run as a new user runs them:
// the quick start's block (`npm run up`) in one terminal, each kubectl block in a second one, then the
// job they rendered watched in the portal in Chromium. A wrong example name, a namespace nobody made or
// a noisy terminal fails here. The stack keeps its state in a folder of its own, on ports of its own.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchChromium, playVideo } from '@cineweave/test-support/browser';
import { installKubeTools, kubectlBin, kubeToolsDir } from '@cineweave/test-support/kube-tools';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readme, repoRoot, section, shellBlocks } from './readme.ts';

const run = promisify(execFile);
const quickStart = shellBlocks(section(readme(), 'Quick start'));
const localKubernetes = shellBlocks(section(readme(), 'Kubernetes on your machine'));

const work = mkdtempSync(join(tmpdir(), 'cineweave-readme-'));
// As root, the embedded Postgres runs as the postgres user, which must be able to enter the folder.
chmodSync(work, 0o755);
const stateDir = join(work, 'state');
const home = join(work, 'home');
mkdirSync(home);

/** A new user's shell: none of the test runner's own variables (NODE_ENV=test, Nx's task settings). */
function userShellEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(VITEST|NX_|npm_|NODE_ENV$|TEST$|CINEWEAVE_|DATABASE_URL$|REDIS_URL$|S3_)/.test(name),
    ),
  );
  // The state folder and ports of this run only, so a developer's own stack is left alone.
  return { ...env, CINEWEAVE_STATE_DIR: stateDir, PORT: '0', WEB_PORT: '0', HOME: home };
}

interface Terminal {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function openTerminal(script: string, env: NodeJS.ProcessEnv): Terminal {
  // Its own process group, so Ctrl-C reaches npm, the runner and everything under them, as in a terminal.
  const child = spawn('bash', ['-c', script], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': npm may end before the runner under it has finished stopping and printing.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(terminal: Terminal, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(terminal.output())) {
    if (terminal.child.exitCode !== null)
      throw new Error(`It exited before printing ${pattern}:\n${terminal.output()}`);
    if (Date.now() > deadline)
      throw new Error(`No ${pattern} within ${timeoutMs / 1000} s:\n${terminal.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function pressCtrlC(terminal: Terminal): Promise<void> {
  try {
    if (terminal.child.pid) process.kill(-terminal.child.pid, 'SIGINT');
  } catch {
    // The group has already gone.
  }
  await terminal.exited;
}

describe('README quick start and local Kubernetes, as a new user runs them', () => {
  let stack: Terminal | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    await installKubeTools();
  });

  afterAll(async () => {
    await browser?.close();
    if (stack) await pressCtrlC(stack);
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('should start the stack with one block and drive it with kubectl in the next ones', () => {
    expect(quickStart).toHaveLength(1);
    expect(quickStart[0]).toMatch(/^npm run up\b/m);
    expect(localKubernetes.length).toBeGreaterThan(0);
  });

  it(
    'should start the stack quietly, render the local example through kubectl and play the same job in the portal',
    async () => {
      stack = openTerminal(quickStart[0] as string, userShellEnv());
      await waitForOutput(stack, /^Ctrl-C stops the stack/m, 600_000);
      // Quiet: one line per service and the Ready block last; the processes' logs went to files.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const terminal = stack.output();
      expect(terminal.trimEnd().split('\n').at(-1)).toMatch(/^Ctrl-C stops the stack/);
      expect(terminal.split('\n').length).toBeLessThan(30);
      expect(terminal).not.toMatch(/npm warn|Removing initializer|Mapped \{|"level"/);
      for (const [, log] of terminal.matchAll(/log: (\S+\.log)/g))
        expect(existsSync(join(repoRoot, log as string)) || existsSync(log as string)).toBe(true);
      const portal = /Portal\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(sign in as (\S+)\)/.exec(terminal);
      expect(portal, terminal).not.toBeNull();
      const [, portalUrl, userId] = portal as unknown as [string, string, string];
      expect(terminal).toContain(`export KUBECONFIG=${join(stateDir, 'kubeconfig')}`);

      // The second terminal: every block of the README's local Kubernetes section, in order.
      const shell = { ...userShellEnv(), PATH: `${kubeToolsDir}:${process.env.PATH ?? ''}` };
      let kubectlOutput = '';
      for (const block of localKubernetes) {
        const second = openTerminal(`set -e\n${block}`, shell);
        const code = await second.exited;
        kubectlOutput += second.output();
        expect(code, `${block}\n${second.output()}`).toBe(0);
      }
      expect(kubectlOutput).toContain('videojob.cineweave.io/paper-lanterns created');
      expect(kubectlOutput).toMatch(/paper-lanterns\s+(Queued|Running)/);
      expect(kubectlOutput).toContain('videojob.cineweave.io/paper-lanterns condition met');

      const kubectl = (args: string[]) =>
        run(kubectlBin, ['--kubeconfig', join(stateDir, 'kubeconfig'), ...args], { env: shell });
      const { stdout: jobId } = await kubectl([
        'get',
        'vj',
        'paper-lanterns',
        '-o',
        'jsonpath={.status.jobId}',
      ]);
      expect(jobId).toMatch(/^[0-9a-f-]{36}$/);

      browser = await launchChromium();
      const page = await browser.newPage({ baseURL: portalUrl, viewport: { width: 1366, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      // The landing page: this install takes no payments, so the plans say who grants them, and
      // "See pricing" scrolls to them.
      await page.goto('/');
      await page.getByTestId('plan-note').first().waitFor();
      expect(await page.getByTestId('plan-note').first().textContent()).toContain('an administrator grants');
      await page.getByRole('link', { name: 'See pricing' }).click();
      await page.waitForFunction(() => {
        const top = document.getElementById('pricing')?.getBoundingClientRect().top ?? -1;
        return window.scrollY > 200 && top >= 0 && top < 200;
      });

      // Signed in as the developer the namespace belongs to, the kubectl job is theirs to watch.
      await page.goto('/sign-in');
      await page.locator('#dev-user-id').fill(userId);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL('**/dashboard');
      await page.goto(`/jobs/${jobId}`);
      await expect(page.getByText('Paper lanterns drifting up').first().textContent()).resolves.toBeTruthy();
      await page.getByTestId('video-player').waitFor({ timeout: 60_000 });
      const played = await playVideo(page);
      expect(played, 'the video did not play').toMatchObject({ error: null });
      expect(played.currentTime).toBeGreaterThan(0);
      expect(played.width).toBeGreaterThan(0);
      expect(errors).toEqual([]);

      // Ctrl-C in the first terminal stops everything and leaves nothing running.
      await pressCtrlC(stack);
      // npm, like a shell, ends itself with the signal it forwarded; the runner below it stopped cleanly.
      expect(stack.child.exitCode === 0 || stack.child.signalCode === 'SIGINT', stack.output()).toBe(true);
      expect(stack.output()).toMatch(/^Stopped\.$/m);
      const { stdout: processes } = await run('ps', ['-eo', 'args']);
      expect(processes.split('\n').filter((line) => line.includes(stateDir))).toEqual([]);
      stack = undefined;
    },
    15 * 60_000,
  );
});
