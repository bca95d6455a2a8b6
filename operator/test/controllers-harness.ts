/**
 * Shared set-up of the controller and end-to-end suites: a test Kubernetes API server, a client
 * for it, and an Operator wired with short timings.
 */
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

export function clientFor(server: KubeApiServer): KubeClient {
  return new KubeClient(loadKubeConfig({ yaml: server.kubeconfig() }));
}

export function testLogger(): Logger {
  return createLogger(process.env.OPERATOR_TEST_LOG ?? 'silent');
}

export async function createNamespace(client: KubeClient, name: string, account?: string): Promise<void> {
  await client.create(resourcePath(RESOURCES.namespaces), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, ...(account ? { annotations: { 'cineweave.io/account': account } } : {}) },
  });
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
