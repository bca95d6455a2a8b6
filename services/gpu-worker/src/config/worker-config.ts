import {
  DEFAULT_MODEL_ID,
  frameCount,
  JOB_LIMITS,
  ModelIdSchema,
  ResolutionSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { ENGINE_KINDS } from '../engine/engine.ts';
import { ATTENTION_BACKENDS } from '../engines/onnx/attention-backend.ts';

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
  /** The model this worker serves: an id of the API's model catalog (GET /v1/models); it takes jobs from that model's queue (`video-jobs.<MODEL_ID>`) only. */
  MODEL_ID: ModelIdSchema.default(DEFAULT_MODEL_ID),
  /**
   * The largest job this worker renders on its hardware (either orientation), announced in its
   * heartbeat: the API refuses a job larger than every ready worker of its model, so no job can kill
   * a worker by its size. Defaults: the largest the API admits at all.
   */
  WORKER_MAX_RESOLUTION: ResolutionSchema.default('1280x704'),
  WORKER_MAX_FRAMES: z.coerce
    .number()
    .int()
    .min(1)
    .default(frameCount(JOB_LIMITS.durationSeconds.max, JOB_LIMITS.fps.max)),
  /** What renders: `onnx` (our Wan 2.2 graphs, in process) or `openai-videos` (a server beside us). */
  ENGINE_KIND: z.enum(ENGINE_KINDS).default('onnx'),
  // Engine onnx.
  MODEL_DIR: z.string().min(1).optional(),
  DEVICE: z.enum(['cuda', 'cpu']).default('cuda'),
  CUDA_DEVICE_ID: z.coerce.number().int().min(0).default(0),
  /** onnxruntime's attention kernel on CUDA: auto, flash or cudnn (see attention-backend.ts; unmeasured). */
  ATTENTION_BACKEND: z.enum(ATTENTION_BACKENDS).default('auto'),
  // Engine openai-videos: an OpenAI-shaped /v1/videos server (vLLM-Omni, SGLang) in the same pod.
  ENGINE_URL: z
    .url({ protocol: /^https?$/, error: 'ENGINE_URL must be an http(s) URL' })
    .default('http://127.0.0.1:8000'),
  /** Answers 200 while the engine can serve (vLLM's `/health`). */
  ENGINE_HEALTH_PATH: z.string().startsWith('/').default('/health'),
  /** Sent as `model` when set; the server refuses a name it does not serve. */
  ENGINE_MODEL: z.string().min(1).optional(),
  /** Bearer token, for a server started with `--api-key`. */
  ENGINE_API_KEY: z.string().min(1).optional(),
  /** How long to wait at start for the engine's first healthy answer (loading weights takes minutes). */
  ENGINE_START_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(1800),
  /** The longest one render may take on the engine before the job fails. */
  ENGINE_RENDER_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** How long the engine may fail to answer during a render before the job fails. */
  ENGINE_UNRESPONSIVE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** How often a running job's status is read from the engine. */
  ENGINE_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /** How often the engine's readiness is checked (the worker is ready only while its engine is). */
  ENGINE_HEALTH_INTERVAL_SECONDS: z.coerce.number().min(0.1).default(5),
  /** How often a running job looks for a cancel between the engine's own step checkpoints. */
  CANCEL_POLL_MS: z.coerce.number().int().min(50).default(1000),
  METRICS_PORT: port.default(9464),
  GPU_HOURLY_COST_USD: z.coerce.number().min(0).default(2.5),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(1),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(30),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  /**
   * How long a job stays locked to this worker without a renewal. A worker that dies (SIGKILL,
   * OOM, node loss) loses its job to another worker about this long after its last renewal.
   */
  JOB_LOCK_SECONDS: z.coerce.number().int().min(2).max(600).default(60),
  WORKER_ID: z.string().min(1).optional(),
  /** C2PA Content Credentials on every MP4 and thumbnail; `off` only where the law does not ask for them. */
  CONTENT_CREDENTIALS: z.enum(['on', 'off']).default('on'),
  /** PEM: the signing certificate first, then its intermediates (not the root). */
  CONTENT_CREDENTIALS_CERT_FILE: z.string().min(1).optional(),
  /** PEM: the signing certificate's private key (PKCS#8; EC P-256/P-384 or Ed25519). */
  CONTENT_CREDENTIALS_KEY_FILE: z.string().min(1).optional(),
  /**
   * Optional output check: a classifier in the OpenAI moderation API's shape that judges sampled
   * frames of every rendered video before upload. Unset: outputs are not checked.
   */
  OUTPUT_MODERATION_URL: z.url({ error: 'must be a URL (the moderation classifier)' }).optional(),
  OUTPUT_MODERATION_TOKEN: z.string().min(1).optional(),
  OUTPUT_MODERATION_MODEL: z.string().min(1).optional(),
  OUTPUT_MODERATION_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(10_000),
  /** Classifier down or slow: `open` delivers the video unchecked, `closed` fails the job (no charge). */
  OUTPUT_MODERATION_FAIL_MODE: z.enum(['open', 'closed']).default('closed'),
  OUTPUT_MODERATION_FRAMES: z.coerce.number().int().min(1).max(16).default(3),
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
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  // Checked beside the schema so that it is listed with the others, whatever else is wrong.
  if ((present['ENGINE_KIND'] ?? 'onnx') === 'onnx' && !present['MODEL_DIR']) {
    problems.push('MODEL_DIR: must name the directory written by build-model (ENGINE_KIND=onnx)');
  }
  problems.push(...contentCredentialsProblems(present));
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/**
 * Production must sign (EU AI Act art. 50 marking): without a certificate and key the worker does
 * not start unless signing is switched off on purpose. Elsewhere a missing pair means a throwaway
 * test chain made at start (see content-credentials/test-chain.ts).
 */
function contentCredentialsProblems(env: Record<string, string | undefined>): string[] {
  if (env['CONTENT_CREDENTIALS'] === 'off') return [];
  const cert = env['CONTENT_CREDENTIALS_CERT_FILE'];
  const key = env['CONTENT_CREDENTIALS_KEY_FILE'];
  if (cert && !key) return ['CONTENT_CREDENTIALS_KEY_FILE: is required with CONTENT_CREDENTIALS_CERT_FILE'];
  if (key && !cert) return ['CONTENT_CREDENTIALS_CERT_FILE: is required with CONTENT_CREDENTIALS_KEY_FILE'];
  if (!cert && (env['NODE_ENV'] ?? 'production') === 'production') {
    return [
      'CONTENT_CREDENTIALS_CERT_FILE, CONTENT_CREDENTIALS_KEY_FILE: production signs every video with C2PA ' +
        'Content Credentials; mount a certificate and key, or set CONTENT_CREDENTIALS=off to deliver unsigned videos',
    ];
  }
  return [];
}
