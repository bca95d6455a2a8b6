import { DEFAULT_MODEL_ID, ModelIdSchema } from '@cineweave/contracts';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);

const WorkerEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'REDIS_URL must be a redis:// or rediss:// URL' }),
  /** BullMQ key prefix; tests give each suite its own. */
  QUEUE_PREFIX: z.string().min(1).default('bull'),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'S3_ENDPOINT must be an http(s) URL' }),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY: z.string().min(1, { error: 'S3_ACCESS_KEY is required' }),
  S3_SECRET_KEY: z.string().min(1, { error: 'S3_SECRET_KEY is required' }),
  S3_BUCKET: z.string().min(3).default('cineweave'),
  MODEL_DIR: z.string().min(1, { error: 'MODEL_DIR must name the directory written by build-model' }),
  MODEL_ID: ModelIdSchema.default(DEFAULT_MODEL_ID),
  DEVICE: z.enum(['cuda', 'cpu']).default('cuda'),
  CUDA_DEVICE_ID: z.coerce.number().int().min(0).default(0),
  METRICS_PORT: port.default(9464),
  GPU_HOURLY_COST_USD: z.coerce.number().min(0).default(2.5),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(1),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  /**
   * How long a job stays locked to this worker without a renewal. A worker that dies (SIGKILL,
   * OOM, node loss) loses its job to another worker about this long after its last renewal.
   */
  JOB_LOCK_SECONDS: z.coerce.number().int().min(2).max(600).default(60),
  WORKER_ID: z.string().min(1).optional(),
});

export type WorkerConfig = z.infer<typeof WorkerEnvSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The worker's configuration is not valid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

/** Validates the environment; every problem is listed at once so one restart fixes them all. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  // Empty strings mean "not set" (an `.env` line with nothing after the `=`).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = WorkerEnvSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  return result.data;
}
