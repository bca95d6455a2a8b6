import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeApiServer } from '../kube-api-server/kube-api-server.ts';

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running kubectl (get -w, wait, delete) whose output a test can wait for. */
export interface KubectlProcess {
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<KubectlResult>;
  hasExited(): boolean;
  kill(): void;
}

/**
 * The real kubectl binary pointed at a test API server through its own kubeconfig, HOME and
 * discovery cache, so runs never touch the user's ~/.kube.
 */
export class Kubectl {
  private readonly running = new Set<KubectlProcess>();
  private readonly directory: string;
  private readonly binary: string;

  private constructor(directory: string) {
    this.directory = directory;
    this.binary = process.env.KUBECTL ?? 'kubectl';
  }

  static async forServer(server: KubeApiServer): Promise<Kubectl> {
    const directory = await mkdtemp(join(tmpdir(), 'cineweave-kubectl-'));
    await server.writeKubeconfig(join(directory, 'kubeconfig'));
    return new Kubectl(directory);
  }

  run(args: string[], input?: string): Promise<KubectlResult> {
    const process = this.start(args, input);
    return process.exited;
  }

  start(args: string[], input?: string): KubectlProcess {
    const child = spawn(
      this.binary,
      [
        '--kubeconfig',
        join(this.directory, 'kubeconfig'),
        '--cache-dir',
        join(this.directory, 'cache'),
        ...args,
      ],
      { env: { PATH: process.env.PATH, HOME: this.directory }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let done = false;
    let exit = '';
    const waiters = new Set<() => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const waiter of waiters) waiter();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(input ?? '');
    const exited = new Promise<KubectlResult>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        done = true;
        exit = `code ${code}, signal ${signal}`;
        this.running.delete(handle);
        for (const waiter of waiters) waiter();
        resolve({ code, stdout, stderr });
      });
    });
    const handle: KubectlProcess = {
      output: () => stdout,
      exited,
      hasExited: () => done,
      kill: () => child.kill('SIGTERM'),
      waitForOutput: (pattern, timeoutMs = 15_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            if (pattern.test(stdout)) {
              cleanup();
              resolve(stdout);
            } else if (done) {
              cleanup();
              reject(
                new Error(
                  `kubectl ${args.join(' ')} exited (${exit}) before printing ${pattern}:\n${stdout}\n${stderr}`,
                ),
              );
            }
          };
          const timer = setTimeout(() => {
            cleanup();
            reject(
              new Error(
                `kubectl ${args.join(' ')} did not print ${pattern} in ${timeoutMs} ms:\n${stdout}\n${stderr}`,
              ),
            );
          }, timeoutMs);
          const cleanup = () => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        }),
    };
    this.running.add(handle);
    return handle;
  }

  /** Stops kubectl processes a test left running and removes the kubeconfig and cache. */
  async dispose(): Promise<void> {
    for (const process of this.running) process.kill();
    await Promise.allSettled([...this.running].map((process) => process.exited));
    await rm(this.directory, { recursive: true, force: true });
  }
}
