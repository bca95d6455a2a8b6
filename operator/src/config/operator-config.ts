import { hostname } from 'node:os';
import { z } from 'zod';

const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name');

export const EnvSchema = z
  .object({
    /** Path of a kubeconfig; without it the in-cluster service account is used. */
    KUBECONFIG: z.string().optional(),
    CINEWEAVE_API_URL: z.url({
      error: 'is required: the URL of the CineWeave API, e.g. http://cineweave-api:3000',
    }),
    INTERNAL_TOKEN: z
      .string({
        error: 'is required: the token of the API internal routes (the same INTERNAL_TOKEN as the API)',
      })
      .min(16, 'must be the internal API token (at least 16 characters)'),
    /** Comma-separated; empty watches every namespace. */
    WATCH_NAMESPACES: csv,
    LEADER_ELECTION_NAMESPACE: name.default('default'),
    LEADER_ELECTION_ID: name.default('cineweave-operator'),
    LEADER_ELECTION_IDENTITY: z.string().min(1).default(`${hostname()}-${process.pid}`),
    LEASE_DURATION_SECONDS: positiveInt(15),
    RENEW_DEADLINE_SECONDS: positiveInt(10),
    RETRY_PERIOD_SECONDS: positiveInt(2),
    METRICS_PORT: port(8080),
    METRICS_HOST: z.string().default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    RECONCILE_CONCURRENCY: positiveInt(8),
    RESYNC_SECONDS: positiveInt(300),
    /** How often an unfinished VideoJob's API job is read again. */
    JOB_POLL_SECONDS: z.coerce.number().positive().default(5),
    /** How often a VideoJob held by its team's active-job limit (and, at first, by credits) is submitted again. */
    HELD_RETRY_SECONDS: z.coerce.number().positive().default(30),
    /** The longest wait between two tries of a held VideoJob (a monthly quota waits for its reset, re-checked this often). */
    HELD_RECHECK_MAX_SECONDS: z.coerce.number().positive().default(600),
    /** How often a WorkerPool reads the queue stats. */
    POOL_POLL_SECONDS: z.coerce.number().positive().default(15),
    /** Worker Deployment template. */
    WORKER_IMAGE: z.string({
      error: 'is required: the GPU worker image, e.g. ghcr.io/cineweave/gpu-worker:0.1.0',
    }),
    WORKER_IMAGE_PULL_POLICY: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    /** Secret holding the worker's REDIS_URL and S3_* keys (envFrom). */
    WORKER_SECRET_NAME: z.string({
      error: 'is required: the Secret with REDIS_URL and S3_* for the workers',
    }),
    /** ConfigMap with the rest of the worker's settings (optional, envFrom). */
    WORKER_CONFIGMAP_NAME: z.string().optional(),
    WORKER_SERVICE_ACCOUNT: z.string().optional(),
    WORKER_METRICS_PORT: port(9464),
    /** Longest render a worker may be finishing when asked to stop. */
    WORKER_SHUTDOWN_GRACE_SECONDS: positiveInt(1800),
    WORKER_MODEL_DIR: z.string().default('/models'),
    /** Claim holding the model weights; empty uses an emptyDir (the worker downloads them). */
    WORKER_MODEL_PVC: z.string().optional(),
    /** Secret (`tls.crt`, `tls.key`) the workers sign Content Credentials with (mounted). */
    WORKER_CONTENT_CREDENTIALS_SECRET: z.string().min(1).optional(),
    GPU_HOURLY_COST_USD: z.coerce.number().min(0).default(0),
  })
  .refine((env) => env.RENEW_DEADLINE_SECONDS < env.LEASE_DURATION_SECONDS, {
    error: 'RENEW_DEADLINE_SECONDS must be shorter than LEASE_DURATION_SECONDS',
    path: ['RENEW_DEADLINE_SECONDS'],
  });
export type OperatorConfig = z.output<typeof EnvSchema>;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      `The operator cannot start; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.problems = problems;
    this.name = 'ConfigError';
  }
}

/** Parses the environment, listing every problem at once and never a value (some are secrets). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = EnvSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(environment)'}: ${issue.message}`,
      ),
    );
  }
  return result.data;
}
