/**
 * Composition root: validate the environment, connect to Kubernetes, serve /metrics /healthz
 * /readyz, campaign for the leader Lease and run the controllers while leading; on SIGTERM step
 * down cleanly (stop reconciling, release the Lease) so a standby takes over at once.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CineweaveApiClient } from './cineweave-api/cineweave-api-client.ts';
import { ConfigError, loadConfig } from './config/operator-config.ts';
import { httpBusyProbe } from './controllers/workerpool/pod-busy-probe.ts';
import { KubeClient } from './kube/kube-client.ts';
import { loadKubeConfig } from './kube/load-kube-config.ts';
import { HealthServer } from './observability/health-server.ts';
import { createLogger } from './observability/logger.ts';
import { OperatorMetrics } from './observability/operator-metrics.ts';
import { Operator } from './operator.ts';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
let kubeConfig: KubeConfig;
try {
  kubeConfig = loadKubeConfig({ file: config.KUBECONFIG });
} catch (error) {
  logger.fatal(
    { err: (error as Error).message, kubeconfig: config.KUBECONFIG ?? 'in-cluster' },
    'Failed to load Kubernetes credentials',
  );
  process.exit(78);
}

const metrics = new OperatorMetrics({ defaultMetrics: true });
const operator = new Operator({
  client: new KubeClient(kubeConfig),
  api: new CineweaveApiClient(config.CINEWEAVE_API_URL, config.INTERNAL_TOKEN),
  logger,
  metrics,
  namespaces: config.WATCH_NAMESPACES,
  apiUrl: config.CINEWEAVE_API_URL,
  identity: config.LEADER_ELECTION_IDENTITY,
  leaderElection: {
    namespace: config.LEADER_ELECTION_NAMESPACE,
    name: config.LEADER_ELECTION_ID,
    leaseDurationSeconds: config.LEASE_DURATION_SECONDS,
    renewDeadlineMs: config.RENEW_DEADLINE_SECONDS * 1000,
    retryPeriodMs: config.RETRY_PERIOD_SECONDS * 1000,
  },
  concurrency: config.RECONCILE_CONCURRENCY,
  resyncMs: config.RESYNC_SECONDS * 1000,
  jobPollMs: config.JOB_POLL_SECONDS * 1000,
  poolPollMs: config.POOL_POLL_SECONDS * 1000,
  holdTimings: {
    retryMs: config.HELD_RETRY_SECONDS * 1000,
    recheckMaxMs: Math.max(config.HELD_RECHECK_MAX_SECONDS, config.HELD_RETRY_SECONDS) * 1000,
  },
  template: {
    image: config.WORKER_IMAGE,
    imagePullPolicy: config.WORKER_IMAGE_PULL_POLICY,
    secretName: config.WORKER_SECRET_NAME,
    configMapName: config.WORKER_CONFIGMAP_NAME,
    serviceAccountName: config.WORKER_SERVICE_ACCOUNT,
    metricsPort: config.WORKER_METRICS_PORT,
    shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
    modelDir: config.WORKER_MODEL_DIR,
    modelPvc: config.WORKER_MODEL_PVC,
    contentCredentialsSecret: config.WORKER_CONTENT_CREDENTIALS_SECRET,
    gpuHourlyCostUsd: config.GPU_HOURLY_COST_USD,
  },
  probe: httpBusyProbe(config.WORKER_METRICS_PORT),
});

const health = new HealthServer(metrics.registry, { live: () => true, ready: () => operator.readiness() });
const port = await health.listen(config.METRICS_PORT, config.METRICS_HOST);
logger.info(
  {
    port,
    identity: config.LEADER_ELECTION_IDENTITY,
    lease: `${config.LEADER_ELECTION_NAMESPACE}/${config.LEADER_ELECTION_ID}`,
  },
  'Started operator',
);
operator.start();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Received signal; stepping down');
    const deadline = setTimeout(() => process.exit(1), 20_000);
    deadline.unref();
    void operator
      .stop()
      .then(() => health.close())
      .then(() => {
        logger.info('Stopped operator');
        process.exit(0);
      });
  });
}
