import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A CineWeave component the local stack runs from its build. */
export interface ServiceSpec {
  /** Nx project name; also the name of its log file. */
  project: string;
  /** What its line in the terminal says once it is ready. */
  describe: string;
  /** URL that answers 200 once the service is ready to work. */
  readyUrl: string;
  /** Command and arguments, run from the repository root. */
  command: string[];
  env: Record<string, string>;
  /** One-off steps before the first start (e.g. building the tiny model), each skipped once done. */
  prepare?: PrepareStep[];
}

export interface PrepareStep {
  done: () => boolean;
  description: string;
  command: string[];
}

export interface StackEndpoints {
  databaseUrl: string;
  redisUrl: string;
  s3: { url: string; accessKey: string; secretKey: string; bucket: string };
  internalToken: string;
  ports: { api: number; web: number; workerMetrics: number; operatorMetrics: number };
  stateDir: string;
  /** The local Kubernetes API, when the stack runs one (`--no-kubernetes` leaves it out). */
  kubeconfig?: string;
}

/** Every component the stack runs, with the environment the local stack gives it. */
export function serviceSpecs(endpoints: StackEndpoints): ServiceSpec[] {
  const { ports } = endpoints;
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const modelDir = join(endpoints.stateDir, 'models', 'tiny');
  const c2paDir = join(endpoints.stateDir, 'c2pa');
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
  const specs: ServiceSpec[] = [
    {
      project: 'api',
      describe: apiUrl,
      readyUrl: `${apiUrl}/ready`,
      command: ['node', 'services/api/dist/main.js'],
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
        // Jobs that name no model get the tiny random-weight model the CPU worker serves.
        DEFAULT_MODEL: 'wan2.2-tiny-test',
        // Example VideoJobs may point spec.image.url at a server on this machine.
        IMAGE_FETCH_ALLOW_PRIVATE: 'true',
        // Webhook receivers a developer runs on this machine.
        SSRF_ALLOW_CIDRS: '127.0.0.0/8,::1',
      },
    },
    {
      project: 'gpu-worker',
      describe: 'tiny model on CPU',
      readyUrl: `http://127.0.0.1:${ports.workerMetrics}/readyz`,
      command: ['node', 'services/gpu-worker/dist/main.js'],
      env: {
        ...shared,
        DEVICE: 'cpu',
        MODEL_DIR: modelDir,
        METRICS_PORT: String(ports.workerMetrics),
        // The tiny random-weight model under its own catalog id (test model: its videos are noise), and
        // the largest job a CPU renders without growing past a laptop's memory: a larger job is a 422.
        MODEL_ID: 'wan2.2-tiny-test',
        WORKER_MAX_RESOLUTION: '640x352',
        WORKER_MAX_FRAMES: '49',
        // On Ctrl-C, hand a job in progress back to the queue within the runner's 10 s grace rather
        // than try to finish it; the next start renders it again.
        SHUTDOWN_GRACE_SECONDS: '5',
        // A worker that dies mid-job (the runner restarts it) loses the job's lock after this long;
        // BullMQ then hands the job to the restarted worker (or fails it with a refund after its
        // attempts), so a crash costs seconds here rather than the default minute.
        JOB_LOCK_SECONDS: '15',
        // Every video is signed with C2PA Content Credentials, here with a test chain made on the
        // first start: readers show its signer as untrusted (it is on no C2PA trust list).
        CONTENT_CREDENTIALS: 'on',
        CONTENT_CREDENTIALS_CERT_FILE: join(c2paDir, 'chain.pem'),
        CONTENT_CREDENTIALS_KEY_FILE: join(c2paDir, 'signer.key'),
      },
      prepare: [
        {
          // No weights can be downloaded here: the local stack renders with a tiny random model of
          // the real architecture (meaningless pictures, real pipeline).
          done: () => existsSync(join(modelDir, 'model.json')),
          description: `Building the tiny CPU model into ${modelDir}`,
          command: ['node', 'models/wan22/src/cli/build-model.ts', '--tiny', '--out', modelDir],
        },
        {
          done: () => existsSync(join(c2paDir, 'chain.pem')) && existsSync(join(c2paDir, 'signer.key')),
          description: `Making a test Content Credentials signing chain in ${c2paDir}`,
          command: [
            'node',
            'services/gpu-worker/src/content-credentials/cli/test-chain.ts',
            '--out',
            c2paDir,
          ],
        },
      ],
    },
    {
      project: 'web',
      describe: `http://127.0.0.1:${ports.web}`,
      readyUrl: `http://127.0.0.1:${ports.web}/`,
      // The portal's own static server, proxying the API so the browser sees one origin (as behind
      // the ingress in Kubernetes): no CORS, and presigned S3 URLs are the only other host.
      command: ['node', 'web/server/serve.mjs', 'dist/web/browser'],
      env: { PORT: String(ports.web), HOST: '127.0.0.1', API_PROXY_TARGET: apiUrl },
    },
  ];
  if (endpoints.kubeconfig) {
    specs.push({
      project: 'operator',
      describe: 'VideoJobs of every namespace',
      readyUrl: `http://127.0.0.1:${ports.operatorMetrics}/readyz`,
      command: ['node', 'operator/dist/main.js'],
      env: {
        NODE_ENV: 'development',
        LOG_LEVEL: shared.LOG_LEVEL,
        KUBECONFIG: endpoints.kubeconfig,
        CINEWEAVE_API_URL: apiUrl,
        INTERNAL_TOKEN: endpoints.internalToken,
        METRICS_HOST: '127.0.0.1',
        METRICS_PORT: String(ports.operatorMetrics),
        // A status a person watches with `kubectl get vj -w`: read the API's progress often.
        JOB_POLL_SECONDS: '1',
        // The local worker is a process, not a pod: a WorkerPool applied here gets stand-in pods of
        // this image from the test API server's Deployment controller, and renders nothing.
        WORKER_IMAGE: 'ghcr.io/cineweave/gpu-worker:local',
        WORKER_SECRET_NAME: 'cineweave-worker',
      },
    });
  }
  return specs;
}

/** The Nx projects the stack runs from their builds (contracts come along as a dependency). */
export function projectsToBuild(specs: ServiceSpec[]): string[] {
  return specs.map((spec) => spec.project);
}
