import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { podTemplates } from './support/pods.ts';
import { byKind, ciValuesFiles, renderChart, type KubeObject } from './support/render.ts';
import { repoRoot } from './support/tools.ts';

type Component = 'api' | 'gpu-worker' | 'operator';

/** Variables the chart leaves to the component's default on purpose, and why. */
const LEFT_AT_DEFAULT: Record<string, string> = {
  KUBECONFIG: 'the operator uses its in-cluster ServiceAccount',
  JOB_LOCK_SECONDS: "the worker's default; settable through workers.extraConfig",
  WORKER_ID: 'defaults to the host name, which is the pod name',
  WORKER_MAX_RESOLUTION:
    "the worker's default (the largest job the API admits, which a GPU renders); settable through workers.extraConfig",
  WORKER_MAX_FRAMES:
    "the worker's default (the largest job the API admits, which a GPU renders); settable through workers.extraConfig",
  ...Object.fromEntries(
    [
      // The worker's engine: the operator sets ENGINE_KIND and ENGINE_URL per WorkerPool
      // (spec.engine); the rest are timeouts and polling with sound defaults.
      'ENGINE_KIND',
      'ENGINE_URL',
      'ENGINE_HEALTH_PATH',
      'ENGINE_MODEL',
      'ENGINE_API_KEY',
      'ENGINE_START_TIMEOUT_SECONDS',
      'ENGINE_RENDER_TIMEOUT_SECONDS',
      'ENGINE_UNRESPONSIVE_SECONDS',
      'ENGINE_POLL_MS',
      'ENGINE_HEALTH_INTERVAL_SECONDS',
      'CANCEL_POLL_MS',
      'FFPROBE_PATH',
    ].map((name) => [
      name,
      "the worker's default or the WorkerPool's engine; settable through workers.extraConfig",
    ]),
  ),
  API_PROCESSES: 'one process per pod: the chart scales API replicas instead',
  ...Object.fromEntries(
    [
      // Moderation by a classifier is off unless an install runs one (moderation.classifier.*).
      'MODERATION_CLASSIFIER_URL',
      'MODERATION_CLASSIFIER_TOKEN',
      'MODERATION_CLASSIFIER_MODEL',
    ].map((name) => [name, 'no classifier by default; an install that runs one sets moderation.classifier']),
  ),
  ...Object.fromEntries(
    [
      'OUTPUT_MODERATION_URL',
      'OUTPUT_MODERATION_TOKEN',
      'OUTPUT_MODERATION_MODEL',
      'OUTPUT_MODERATION_TIMEOUT_MS',
      'OUTPUT_MODERATION_FRAMES',
      'OUTPUT_MODERATION_FAIL_MODE',
    ].map((name) => [name, 'no output check by default; settable through workers.extraConfig']),
  ),
  IMAGE_FETCH_ALLOW_PRIVATE:
    "off on clusters on purpose: a VideoJob's image URL must not probe the cluster network",
  SSRF_ALLOW_CIDRS:
    'empty on clusters on purpose (no private network reachable by image URLs or webhooks); an install that needs one sets it through api.extraEnv',
  ...Object.fromEntries(
    [
      // API tuning with sound defaults (services/api/src/core/config/config.schema.ts).
      'DB_APP_ROLE',
      'DB_POOL_SIZE',
      'REDIS_PREFIX',
      'RETENTION_SWEEP_SECONDS',
      'RESERVATION_TIMEOUT_MINUTES',
      'RECONCILE_INTERVAL_SECONDS',
      'OUTBOX_POLL_MS',
      'DISPATCH_BUFFER_PER_MODEL',
      'RATE_LIMIT_PER_MINUTE',
      'MAX_JSON_BODY_BYTES',
      'BACKGROUND_TASKS',
      'IMAGE_FETCH_TIMEOUT_MS',
      'IMAGE_FETCH_MAX_REDIRECTS',
      // Outgoing webhooks: retries, timeouts and concurrency with sound defaults.
      'WEBHOOK_TIMEOUT_MS',
      'WEBHOOK_RETRY_WINDOW_SECONDS',
      'WEBHOOK_BACKOFF_BASE_MS',
      'WEBHOOK_BACKOFF_MAX_MS',
      'WEBHOOK_DISABLE_AFTER_FAILURES',
      'WEBHOOK_ENDPOINT_CONCURRENCY',
      'WEBHOOK_WORKER_CONCURRENCY',
      'WEBHOOK_POLL_MS',
      // The portal form's starting values: HD by default, as a GPU cluster renders it.
      'FORM_DEFAULT_QUALITY',
      'FORM_DEFAULT_DURATION_SECONDS',
      'FORM_DEFAULT_STEPS',
      // TrueLayer overrides for a proxy or stand-in, and tuning: payments.truelayer sets the rest.
      'TRUELAYER_AUTH_URL',
      'TRUELAYER_API_URL',
      'TRUELAYER_HPP_URL',
      'TRUELAYER_WEBHOOK_JKU_ALLOWLIST',
      'TRUELAYER_TIMEOUT_MS',
      'TRUELAYER_CREDIT_ON',
      // Operator tuning (operator/src/config/operator-config.ts).
      'LEADER_ELECTION_IDENTITY',
      'LEASE_DURATION_SECONDS',
      'RENEW_DEADLINE_SECONDS',
      'RETRY_PERIOD_SECONDS',
      'METRICS_HOST',
      'RECONCILE_CONCURRENCY',
      'RESYNC_SECONDS',
      'JOB_POLL_SECONDS',
      'POOL_POLL_SECONDS',
      'HELD_RETRY_SECONDS',
      'HELD_RECHECK_MAX_SECONDS',
    ].map((name) => [name, "the component's default; settable through api.extraEnv / operator.extraEnv"]),
  ),
};

/** `{ variable → components }` from the configuration table of the root README. */
function readmeVariables(readme: string): Map<string, Component[]> {
  const variables = new Map<string, Component[]>();
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1].startsWith('`')) continue;
    const names = [...cells[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]);
    const readBy = cells[3];
    const components = (['api', 'gpu-worker', 'operator'] as const).filter(
      (component) => readBy === 'all' || new RegExp(`(^|[ ,])${component}([ ,(]|$)`).test(readBy),
    );
    for (const name of names) if (components.length > 0) variables.set(name, components);
  }
  return variables;
}

/** Every variable the chart gives a component: env, envFrom ConfigMaps, and for workers what the operator adds. */
function variablesSet(objects: KubeObject[]): Record<Component, Set<string>> {
  const pods = podTemplates(objects);
  const containerEnv = (name: string) => {
    const container = pods.find((pod) => pod.name === name)?.template.spec.containers[0];
    const fromMaps = (container?.envFrom ?? []).flatMap((source) => {
      const ref = source['configMapRef'] as { name: string } | undefined;
      const map = byKind(objects, 'ConfigMap').find((object) => object.metadata.name === ref?.name);
      return Object.keys((map?.['data'] as Record<string, string>) ?? {});
    });
    return [...(container?.env ?? []).map((env) => env.name), ...fromMaps];
  };
  const operatorEnv = containerEnv('Deployment/cw-cineweave-operator');
  const worker = (suffix: string) =>
    byKind(objects, 'Secret')
      .concat(byKind(objects, 'ConfigMap'))
      .filter((o) => o.metadata.name.endsWith(suffix));
  const workerKeys = worker('-worker').flatMap((object) =>
    Object.keys({ ...(object['data'] as object), ...(object['stringData'] as object) }),
  );
  // operator/src/controllers/workerpool/worker-deployment.ts sets these on every worker.
  const fromOperator = operatorEnv.some((name) => name === 'WORKER_IMAGE')
    ? ['MODEL_ID', 'MODEL_DIR', 'DEVICE', 'METRICS_PORT', 'GPU_HOURLY_COST_USD', 'SHUTDOWN_GRACE_SECONDS']
    : [];
  // With a signing Secret the operator mounts it and points the worker at its two files.
  if (operatorEnv.includes('WORKER_CONTENT_CREDENTIALS_SECRET')) {
    fromOperator.push('CONTENT_CREDENTIALS_CERT_FILE', 'CONTENT_CREDENTIALS_KEY_FILE');
  }
  return {
    api: new Set(containerEnv('Deployment/cw-cineweave-api')),
    operator: new Set(operatorEnv),
    'gpu-worker': new Set([...workerKeys, ...fromOperator]),
  };
}

describe('README configuration table', () => {
  it('should read the variables and their components when parsing the table', () => {
    const table = [
      '| variable | default | read by | meaning |',
      '| `PORT` | `3000` | api | HTTP port |',
      '| `S3_ACCESS_KEY` / `S3_SECRET_KEY` | — | api, gpu-worker | S3 |',
      '| `NODE_ENV` | `production` | all | env |',
      '| `WEB_PORT` | `4200` | local stack | port |',
    ].join('\n');
    expect(Object.fromEntries(readmeVariables(table))).toEqual({
      PORT: ['api'],
      S3_ACCESS_KEY: ['api', 'gpu-worker'],
      S3_SECRET_KEY: ['api', 'gpu-worker'],
      NODE_ENV: ['api', 'gpu-worker', 'operator'],
    });
  });

  it('should set every variable of every component somewhere across the ci scenarios', async () => {
    const set: Record<Component, Set<string>> = {
      api: new Set(),
      operator: new Set(),
      'gpu-worker': new Set(),
    };
    for (const file of ciValuesFiles) {
      const scenario = variablesSet(await renderChart(file));
      for (const component of Object.keys(set) as Component[])
        scenario[component].forEach((name) => set[component].add(name));
    }
    const variables = readmeVariables(readFileSync(`${repoRoot}README.md`, 'utf8'));
    expect(variables.size).toBeGreaterThan(30);
    const missing = [...variables].flatMap(([name, components]) =>
      name in LEFT_AT_DEFAULT
        ? []
        : components.filter((component) => !set[component].has(name)).map((c) => `${name} (${c})`),
    );
    expect(missing).toEqual([]);
  });
});
