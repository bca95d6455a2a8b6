import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A CineWeave component the local stack runs, once its issue has delivered it. */
export interface ServiceSpec {
  /** Nx project name. */
  project: string;
  /** npm workspace folder, relative to the repository root. */
  workspace: string;
  /** URL that answers 200 once the service is ready to work. */
  readyUrl?: string;
  env: Record<string, string>;
  /**
   * How to start it, relative to the repository root; default `npm run start -w <workspace>`.
   * `delivered` is the file whose presence means the component exists (default `src/main.ts`).
   */
  start?: { command: string[]; delivered: string };
  /** A one-off step before the first start (e.g. building the tiny model), skipped once done. */
  prepare?: { done: () => boolean; description: string; command: string[] };
}

export interface StackEndpoints {
  databaseUrl: string;
  redisUrl: string;
  s3: { url: string; accessKey: string; secretKey: string; bucket: string };
  internalToken: string;
  ports: { api: number; web: number; workerMetrics: number };
  stateDir: string;
}

/** Every component the stack knows how to run, with the environment the local stack gives it. */
export function serviceSpecs(endpoints: StackEndpoints): ServiceSpec[] {
  const { ports } = endpoints;
  const modelDir = join(endpoints.stateDir, 'models', 'tiny');
  const shared = {
    NODE_ENV: 'development',
    REDIS_URL: endpoints.redisUrl,
    S3_ENDPOINT: endpoints.s3.url,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY: endpoints.s3.accessKey,
    S3_SECRET_KEY: endpoints.s3.secretKey,
    S3_BUCKET: endpoints.s3.bucket,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  return [
    {
      project: 'api',
      workspace: 'services/api',
      readyUrl: `http://127.0.0.1:${ports.api}/ready`,
      env: {
        ...shared,
        PORT: String(ports.api),
        DATABASE_URL: endpoints.databaseUrl,
        DB_MIGRATE: 'true',
        AUTH_MODE: 'dev',
        INTERNAL_TOKEN: endpoints.internalToken,
        CORS_ORIGINS: `http://127.0.0.1:${ports.web},http://localhost:${ports.web}`,
        // The CPU worker renders the tiny model: the portal's form starts at a draft a CPU finishes in
        // under a minute (HD stays one click away).
        FORM_DEFAULT_QUALITY: 'draft',
        FORM_DEFAULT_DURATION_SECONDS: '2',
        FORM_DEFAULT_STEPS: '20',
        // Example VideoJobs may point spec.image.url at a server on this machine.
        IMAGE_FETCH_ALLOW_PRIVATE: 'true',
      },
    },
    {
      project: 'gpu-worker',
      workspace: 'services/gpu-worker',
      readyUrl: `http://127.0.0.1:${ports.workerMetrics}/readyz`,
      env: {
        ...shared,
        DEVICE: 'cpu',
        MODEL_DIR: modelDir,
        METRICS_PORT: String(ports.workerMetrics),
      },
      prepare: {
        // No weights can be downloaded here: the local stack renders with a tiny random model of
        // the real architecture (meaningless pictures, real pipeline).
        done: () => existsSync(join(modelDir, 'model.json')),
        description: `Building the tiny CPU model into ${modelDir}`,
        command: [
          'npm',
          'run',
          '--silent',
          '-w',
          'services/gpu-worker',
          'build-model',
          '--',
          '--tiny',
          '--out',
          modelDir,
        ],
      },
    },
    {
      project: 'web',
      workspace: 'web',
      readyUrl: `http://127.0.0.1:${ports.web}/`,
      // The portal's own static server, proxying the API so the browser sees one origin (as behind
      // the ingress in Kubernetes): no CORS, and presigned S3 URLs are the only other host.
      start: {
        command: ['node', 'web/server/serve.mjs', 'dist/web/browser'],
        delivered: 'web/server/serve.mjs',
      },
      env: { PORT: String(ports.web), HOST: '127.0.0.1', API_PROXY_TARGET: `http://127.0.0.1:${ports.api}` },
    },
  ];
}

/**
 * A component exists once its workspace has an entry point and a `start` script; until its
 * issue delivers it, the stack runs without it.
 */
export function isDelivered(root: string, spec: ServiceSpec): boolean {
  if (spec.start) return existsSync(join(root, spec.start.delivered));
  const dir = join(root, spec.workspace);
  const manifest = join(dir, 'package.json');
  if (!existsSync(join(dir, 'src', 'main.ts')) || !existsSync(manifest)) return false;
  const { scripts } = JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> };
  return typeof scripts?.start === 'string';
}
