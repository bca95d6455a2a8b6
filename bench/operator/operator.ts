// bench/operator: 1,000 VideoJobs applied at once against the test Kubernetes API server (run as
// its own process, as a real API server would be); the operator runs in this process and submits
// them to the CineWeave API. Measures seconds until every VideoJob is Accepted, reconcile p50/p99
// and API calls per VideoJob. Targets: <= 10 s to all Accepted, reconcile p99 <= 100 ms.
//
// The CineWeave API here is a small in-bench HTTP endpoint answering the internal routes (submit,
// get, cancel, queue stats) from memory, so that the figures are the operator's and the Kubernetes
// API's, not Postgres'. The output says so.
//
//   node --conditions=@cineweave/source bench/operator/operator.ts [--jobs 1000] [--concurrency 8]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CineweaveApiClient } from '../../operator/src/cineweave-api/cineweave-api-client.ts';
import { VIDEOJOB_RESOURCE } from '../../operator/src/controllers/videojob/videojob-controller.ts';
import { KubeClient } from '../../operator/src/kube/kube-client.ts';
import type { KubeObject } from '../../operator/src/kube/kube-object.ts';
import { loadKubeConfig } from '../../operator/src/kube/load-kube-config.ts';
import { RESOURCES, resourcePath } from '../../operator/src/kube/resource-paths.ts';
import { createLogger } from '../../operator/src/observability/logger.ts';
import { OperatorMetrics } from '../../operator/src/observability/operator-metrics.ts';
import { Operator } from '../../operator/src/operator.ts';
import { Informer } from '../../operator/src/runtime/informer.ts';
import { StubApi } from '../../operator/test/controllers-stub-api.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '8' },
  },
});
const JOBS = Number(values.jobs);
const CONCURRENCY = Number(values.concurrency);
const NS = 'bench';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dir = mkdtempSync(join(tmpdir(), 'cineweave-operator-bench-'));
const kubeconfig = join(dir, 'kubeconfig');
const port = await freePort();
const apiServer = spawn(
  process.execPath,
  [
    '--conditions=@cineweave/source',
    join(ROOT, 'operator/test/kube-api-server/main.ts'),
    '--port',
    String(port),
    '--kubeconfig',
    kubeconfig,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((resolve, reject) => {
  let output = '';
  apiServer.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('Wrote kubeconfig')) resolve();
  });
  apiServer.once('exit', (code) => reject(new Error(`The test API server exited with ${code}`)));
});

const config = loadKubeConfig({ file: kubeconfig });
const client = new KubeClient(config);
const operatorClient = new KubeClient(config);
const api = await StubApi.start();
const apiClient = new CineweaveApiClient(api.url, 'x'.repeat(32));

await client.create(resourcePath(RESOURCES.namespaces), {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: NS, annotations: { 'cineweave.io/account': 'user-1' } },
});

const durations: number[] = [];
const kubeCalls = new Map<string, number>();
let apiCalls = 0;
let measuring = false;
operatorClient.observer = (method, path) => {
  if (!measuring) return;
  const resource = path
    .replace(/^\/apis?\/(?:[^/]+\/)?v1[a-z0-9]*\/(?:namespaces\/[^/]+\/)?/, '')
    .replace(/\/[^/]+(\/status)?$/, '$1');
  const key = `${method} ${resource}`;
  kubeCalls.set(key, (kubeCalls.get(key) ?? 0) + 1);
};
apiClient.observer = () => {
  if (measuring) apiCalls++;
};

const operator = new Operator({
  client: operatorClient,
  api: apiClient,
  logger: createLogger('warn'),
  metrics: new OperatorMetrics(),
  namespaces: [],
  apiUrl: api.url,
  identity: 'bench',
  leaderElection: {
    namespace: 'default',
    name: 'cineweave-operator',
    leaseDurationSeconds: 15,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
  },
  concurrency: CONCURRENCY,
  resyncMs: 600_000,
  // Polling of accepted jobs is not what this bench measures: keep it out of the window.
  jobPollMs: 600_000,
  poolPollMs: 600_000,
  template: {
    image: 'ghcr.io/cineweave/gpu-worker:bench',
    imagePullPolicy: 'IfNotPresent',
    secretName: 'cineweave-worker',
    metricsPort: 9464,
    shutdownGraceSeconds: 1800,
    modelDir: '/models',
    gpuHourlyCostUsd: 0,
  },
  probe: async () => false,
  observeReconcile: (kind, _result, seconds) => {
    if (measuring && kind === 'VideoJob') durations.push(seconds * 1000);
  },
});
operator.start();
while (!operator.running?.videoJobs.hasSynced) await new Promise((resolve) => setTimeout(resolve, 50));

// The bench watches as `kubectl get vj -w` would, instead of listing 1,000 objects over and over.
type VJ = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
const watcher = new Informer<VJ>(client, VIDEOJOB_RESOURCE, {
  namespaces: [NS],
  resyncMs: 600_000,
  logger: createLogger('warn'),
});
watcher.start();
await watcher.waitForSync();

measuring = true;
const started = performance.now();
const collection = resourcePath(VIDEOJOB_RESOURCE, NS);
await Promise.all(
  Array.from({ length: JOBS }, (_, index) =>
    client.create(collection, {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'VideoJob',
      metadata: { name: `bench-${String(index).padStart(4, '0')}` },
      spec: {
        prompt: `Bench clip ${index}: a lighthouse in a storm, cinematic`,
        resolution: '640x352',
        durationSeconds: 1,
      },
    }),
  ),
);
const appliedSeconds = (performance.now() - started) / 1000;

let accepted = 0;
while (accepted < JOBS && (performance.now() - started) / 1000 < 180) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  accepted = watcher
    .list()
    .filter((vj) => vj.status?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True')).length;
}
const acceptedSeconds = (performance.now() - started) / 1000;
await watcher.stop();
measuring = false;

await operator.stop();
await api.close();
apiServer.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const sorted = [...durations].sort((a, b) => a - b);
const kubeTotal = [...kubeCalls.values()].reduce((sum, n) => sum + n, 0);
const p50 = percentile(sorted, 50);
const p99 = percentile(sorted, 99);
console.log(
  `bench/operator: ${JOBS} VideoJobs applied at once (creates took ${appliedSeconds.toFixed(2)} s), operator concurrency ${CONCURRENCY}`,
);
console.log(
  '  CineWeave API: an in-bench HTTP endpoint answering the internal routes from memory (not the real API)',
);
console.log('  Kubernetes API: the test API server (operator/test/kube-api-server) in its own process');
console.log(
  `  all Accepted after:        ${acceptedSeconds.toFixed(2)} s  (${accepted}/${JOBS}; target <= 10 s) ${acceptedSeconds <= 10 && accepted === JOBS ? 'OK' : 'MISSED'}`,
);
console.log(
  `  reconcile p50 / p99:        ${p50.toFixed(1)} ms / ${p99.toFixed(1)} ms over ${sorted.length} reconciles (target p99 <= 100 ms) ${p99 <= 100 ? 'OK' : 'MISSED'}`,
);
console.log(
  `  Kubernetes calls per VJ:    ${(kubeTotal / JOBS).toFixed(2)}  (${[...kubeCalls].map(([k, n]) => `${k} ${n}`).join(', ')})`,
);
console.log(`  CineWeave API calls per VJ: ${(apiCalls / JOBS).toFixed(2)}`);
console.log(
  `  machine load average:       ${loadavg()
    .map((n) => n.toFixed(1))
    .join(' ')} on ${cpus().length} CPUs`,
);
process.exit(accepted === JOBS ? 0 : 1);
