/**
 * Shared set-up of the controller and end-to-end suites: a test Kubernetes API server, a client
 * for it, and an Operator wired with short timings.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { CineweaveApiClient } from '../src/cineweave-api/cineweave-api-client.ts';
import type { BusyProbe } from '../src/controllers/workerpool/pod-busy-probe.ts';
import { KubeClient } from '../src/kube/kube-client.ts';
import { loadKubeConfig } from '../src/kube/load-kube-config.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import { createLogger } from '../src/observability/logger.ts';
import { OperatorMetrics } from '../src/observability/operator-metrics.ts';
import type { OperatorOptions } from '../src/operator.ts';
import { Operator } from '../src/operator.ts';
import { KubeApiServer } from './kube-api-server/kube-api-server.ts';

export { KubeApiServer };

const OPERATOR_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export function clientFor(server: KubeApiServer): KubeClient {
  return new KubeClient(loadKubeConfig({ yaml: server.kubeconfig() }));
}

export function testLogger(): Logger {
  return createLogger(process.env.OPERATOR_TEST_LOG ?? 'silent');
}

/** A namespace; a string binds it the legacy way (`cineweave.io/account`), an object sets these annotations. */
export async function createNamespace(
  client: KubeClient,
  name: string,
  binding?: string | Record<string, string>,
): Promise<void> {
  const annotations = typeof binding === 'string' ? { 'cineweave.io/account': binding } : binding;
  await client.create(resourcePath(RESOURCES.namespaces), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(annotations ? { annotations } : {}) },
  });
}

/** Sets (a string) or removes (null) annotations of a namespace, as `kubectl annotate` does. */
export async function annotateNamespace(
  client: KubeClient,
  name: string,
  annotations: Record<string, string | null>,
): Promise<void> {
  await client.mergePatch(resourcePath(RESOURCES.namespaces, undefined, name), { metadata: { annotations } });
}

export interface TestOperatorOptions extends Partial<OperatorOptions> {
  client: KubeClient;
  apiUrl: string;
  token: string;
  identity?: string;
}

export function startOperator(options: TestOperatorOptions): {
  operator: Operator;
  metrics: OperatorMetrics;
} {
  const metrics = options.metrics ?? new OperatorMetrics();
  const idleProbe: BusyProbe = async () => false;
  const operator = new Operator({
    api: new CineweaveApiClient(options.apiUrl, options.token, 5_000),
    logger: testLogger(),
    namespaces: [],
    identity: options.identity ?? 'operator-a',
    leaderElection: {
      namespace: 'default',
      name: 'cineweave-operator',
      leaseDurationSeconds: 2,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 200,
    },
    concurrency: 4,
    resyncMs: 30_000,
    jobPollMs: 200,
    poolPollMs: 200,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    template: {
      image: 'ghcr.io/cineweave/gpu-worker:test',
      imagePullPolicy: 'IfNotPresent',
      secretName: 'cineweave-worker',
      metricsPort: 9464,
      shutdownGraceSeconds: 1800,
      modelDir: '/models',
      gpuHourlyCostUsd: 0,
    },
    probe: idleProbe,
    ...options,
    metrics,
  });
  operator.start();
  return { operator, metrics };
}

export async function eventually<T>(
  read: () => Promise<T> | T,
  check: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < end) {
    try {
      last = await read();
      if (check(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `Timed out waiting for ${what}; last value: ${JSON.stringify(last)}${lastError ? `; last error: ${String(lastError)}` : ''}`,
  );
}

export function videoJob(name: string, namespace: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'cineweave.io/v1alpha1',
    kind: 'VideoJob',
    metadata: { name, namespace },
    spec: {
      prompt: 'A red fox runs through fresh snow at dawn, cinematic',
      durationSeconds: 1,
      resolution: '704x1280',
      steps: 4,
      ...spec,
    },
  };
}

/** The operator as its own process (`src/main.ts` under Node's type stripping), as a pod runs it. */
export class OperatorProcess {
  private output = '';
  readonly child: ChildProcess;

  constructor(identity: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--conditions=@cineweave/source', OPERATOR_MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        INTERNAL_TOKEN: 'x'.repeat(32),
        WORKER_IMAGE: 'ghcr.io/cineweave/gpu-worker:test',
        WORKER_SECRET_NAME: 'cineweave-worker',
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        LEADER_ELECTION_NAMESPACE: 'default',
        LEADER_ELECTION_IDENTITY: identity,
        LEASE_DURATION_SECONDS: '3',
        RENEW_DEADLINE_SECONDS: '2',
        RETRY_PERIOD_SECONDS: '1',
        JOB_POLL_SECONDS: '0.3',
        LOG_LEVEL: process.env.OPERATOR_TEST_LOG ?? 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      if (process.env.OPERATOR_TEST_LOG) process.stdout.write(chunk);
    });
  }

  /** Resolves once the process serves /metrics and campaigns for the Lease. */
  started(): Promise<boolean> {
    return eventually(
      () => this.output.includes('Started operator'),
      (up) => up,
      'operator process started',
      30_000,
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  exited(): Promise<number | null> {
    return new Promise((resolve) => {
      if (!this.running) resolve(this.child.exitCode);
      else this.child.once('exit', (code) => resolve(code));
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    const exit = this.exited();
    this.child.kill(signal);
    return exit;
  }
}

/** Who holds the operator's leader Lease now (null once released). */
export async function leaseHolder(client: KubeClient, name = 'cineweave-operator'): Promise<string | null> {
  const lease = await client.get<KubeObject & { spec?: { holderIdentity?: string | null } }>(
    resourcePath(RESOURCES.leases, 'default', name),
  );
  return lease.spec?.holderIdentity ?? null;
}
