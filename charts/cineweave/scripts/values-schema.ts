// Builds values.schema.json from values.yaml: types from the defaults, plus the constraints below
// that defaults cannot show (enums, ranges, free-form maps). `npm run -w charts/cineweave docs`
// writes it with the README; a chart test fails when it is stale.
import { parse } from 'yaml';

type Schema = Record<string, unknown>;

/** Maps whose keys are the user's (labels, selectors, Kubernetes objects): any keys allowed. */
const FREE_FORM = new Set([
  'commonLabels',
  'resources',
  'nodeSelector',
  'affinity',
  'podAnnotations',
  'annotations',
  'labels',
  'podSecurityContext',
  'ingressControllerNamespaceSelector',
  'monitoringNamespaceSelector',
]);

const triState = { enum: ['auto', true, false, 'true', 'false'] };
const ratio = { type: 'number', minimum: 0, maximum: 1 };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const stringList = { type: 'array', items: { type: 'string' } };

/** Constraints by dotted path. */
const OVERRIDES: Record<string, Schema> = {
  'config.nodeEnv': { enum: ['production', 'development', 'test'] },
  'config.logLevel': { enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
  'config.gpuHourlyCostUsd': { type: 'number', minimum: 0 },
  'config.retentionHours': { type: 'number', exclusiveMinimum: 0 },
  'config.maxActiveJobsPerUser': { type: 'integer', minimum: 1 },
  'auth.mode': { enum: ['clerk', 'oidc'] },
  'auth.oidc.algorithms': {
    type: 'array',
    items: { enum: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'] },
  },
  // The API's own rules for SSO_GROUPS_CLAIM and SSO_TEAM_MAPPINGS (it checks them again at start-up).
  'auth.sso.groupsClaim': { type: 'string', pattern: '^([A-Za-z_][A-Za-z0-9_:./-]{0,199})?$' },
  'auth.sso.teamMappings': {
    type: 'array',
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['group', 'teamId', 'role'],
      properties: {
        group: { type: 'string', minLength: 1, maxLength: 256 },
        teamId: {
          type: 'string',
          pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
        },
        role: { enum: ['owner', 'admin', 'member', 'viewer'] },
      },
    },
  },
  'payments.provider': { enum: ['none', 'truelayer'] },
  'payments.truelayer.environment': { enum: ['sandbox', 'production'] },
  'payments.truelayer.creditOn': { enum: ['settled', 'executed'] },
  // The API checks the whole table at start-up (PricingTableSchema); here, its shape.
  'pricing.table': {
    type: 'object',
    additionalProperties: false,
    properties: {
      creditsPerSecond: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      minimumCredits: { type: 'integer', minimum: 0 },
    },
  },
  'moderation.failMode': { enum: ['open', 'closed'] },
  'moderation.classifier.url': { type: 'string', anyOf: [{ maxLength: 0 }, { pattern: '^https?://' }] },
  // The API's own bounds for MODERATION_TIMEOUT_MS.
  'moderation.classifier.timeoutMs': { type: 'integer', minimum: 50, maximum: 60000 },
  'internalToken.value': { type: 'string', anyOf: [{ maxLength: 0 }, { minLength: 16 }] },
  'api.service.port': port,
  'web.service.port': port,
  'operator.metricsPort': port,
  'workers.metricsPort': port,
  'workers.concurrency': { type: 'integer', minimum: 1 },
  'workers.model.source': { enum: ['pvc', 'hostPath'] },
  'workers.attentionBackend': { enum: ['auto', 'flash', 'cudnn'] },
  'workers.model.build.precision': { enum: ['fp16', 'fp32'] },
  'workers.model.build.target': { enum: ['cuda', 'cpu'] },
  'workers.model.build.pull.repo': { type: 'string', pattern: '^[\\w.-]+/[\\w.-]+$' },
  'workers.model.build.pull.revision': { type: 'string', pattern: '^[0-9a-f]{40}$' },
  'workers.model.build.pull.endpoint': { type: 'string', pattern: '^(https?://.+)?$' },
  'workerPool.maxReplicas': { type: 'integer', minimum: 0, maximum: 1000 },
  'workerPool.jobsPerReplica': { type: 'integer', minimum: 1 },
  'workerPool.scaleDownDelaySeconds': { type: 'integer', minimum: 0, maximum: 86400 },
  'workerPool.gpu.count': { type: 'integer', minimum: 0, maximum: 16 },
  // The WorkerPool CRD validates the engine (its CEL rules say more than a values schema could).
  'workerPool.engine': { type: 'object' },
  extraWorkerPools: {
    type: 'array',
    items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } },
  },
  'ingress.apiBackend': { enum: ['web', 'api'] },
  'networkPolicy.kubeApiPorts': { type: 'array', items: port },
  'monitoring.serviceMonitor': triState,
  'monitoring.prometheusRules': triState,
  'monitoring.alerts.jobFailureRatio': ratio,
  'monitoring.alerts.api5xxRatio': ratio,
  'global.imagePullSecrets': {
    type: 'array',
    items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  },
  'api.extraEnv': { type: 'array', items: { type: 'object', required: ['name'] } },
  'operator.extraEnv': { type: 'array', items: { type: 'object', required: ['name'] } },
  'workers.extraConfig': { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  'api.tolerations': { type: 'array', items: { type: 'object' } },
  'web.tolerations': { type: 'array', items: { type: 'object' } },
  'operator.tolerations': { type: 'array', items: { type: 'object' } },
  'workers.tolerations': { type: 'array', items: { type: 'object' } },
};

const STRING_LISTS = [
  'config.adminUserIds',
  'config.corsOrigins',
  'auth.clerk.authorizedParties',
  'operator.watchNamespaces',
  'workers.model.persistence.accessModes',
  'networkPolicy.externalEgressCidrs',
  'networkPolicy.metadataCidrs',
];
for (const path of STRING_LISTS) OVERRIDES[path] = stringList;

function schemaFor(value: unknown, path: string[]): Schema {
  const dotted = path.join('.');
  const key = path[path.length - 1];
  if (OVERRIDES[dotted]) return OVERRIDES[dotted];
  if (key && FREE_FORM.has(key)) return { type: 'object' };
  if (Array.isArray(value)) return { type: 'array' };
  if (typeof value === 'object' && value !== null) {
    const properties = Object.fromEntries(
      Object.entries(value).map(([child, childValue]) => [child, schemaFor(childValue, [...path, child])]),
    );
    return { type: 'object', additionalProperties: false, properties };
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { type: 'integer', minimum: 0 } : { type: 'number', minimum: 0 };
  }
  if (typeof value === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

export function valuesSchema(valuesSource: string): Schema {
  return {
    $schema: 'https://json-schema.org/draft-07/schema#',
    title: 'CineWeave Helm chart values',
    ...schemaFor(parse(valuesSource), []),
  };
}

export function valuesSchemaJson(valuesSource: string): string {
  return `${JSON.stringify(valuesSchema(valuesSource), null, 2)}\n`;
}
