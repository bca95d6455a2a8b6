import { describe, expect, it } from 'vitest';
import { projectsToBuild, serviceSpecs, type StackEndpoints } from './services.ts';

const endpoints: StackEndpoints = {
  databaseUrl: 'postgres://postgres:pw@127.0.0.1:54329/cineweave',
  redisUrl: 'redis://127.0.0.1:63799',
  s3: { url: 'http://127.0.0.1:4569', accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'cineweave' },
  internalToken: 'token-0123456789abcdef',
  ports: { api: 3000, web: 4200, workerMetrics: 9464, operatorMetrics: 9465 },
  stateDir: '/tmp/state',
  kubeconfig: '/tmp/state/kubeconfig',
};

function spec(project: string, from = endpoints) {
  const found = serviceSpecs(from).find((candidate) => candidate.project === project);
  if (!found) throw new Error(`no ${project} in the stack`);
  return found;
}

describe(serviceSpecs.name, () => {
  it('should give the API its stores, dev sign-in and migrations', () => {
    const api = spec('api');
    expect(api.env).toMatchObject({
      DATABASE_URL: endpoints.databaseUrl,
      REDIS_URL: endpoints.redisUrl,
      S3_ENDPOINT: endpoints.s3.url,
      AUTH_MODE: 'dev',
      NODE_ENV: 'development',
      DB_MIGRATE: 'true',
      PORT: '3000',
      FORM_DEFAULT_QUALITY: 'draft',
    });
    expect(api.readyUrl).toBe('http://127.0.0.1:3000/ready');
    expect(api.command).toEqual(['node', 'services/api/dist/main.js']);
  });

  it('should run the worker on CPU with the tiny model kept in the state folder', () => {
    const worker = spec('gpu-worker');
    expect(worker.env).toMatchObject({
      DEVICE: 'cpu',
      MODEL_DIR: '/tmp/state/models/tiny',
      MODEL_ID: 'wan2.2-tiny-test',
      WORKER_MAX_RESOLUTION: '640x352',
    });
    expect(spec('api').env).toMatchObject({ DEFAULT_MODEL: 'wan2.2-tiny-test' });
    expect(worker.prepare?.[0]?.command).toEqual(
      expect.arrayContaining(['--tiny', '--out', '/tmp/state/models/tiny']),
    );
  });

  it("should sign the worker's videos with a test chain made in the state folder on the first start", () => {
    const worker = spec('gpu-worker');
    expect(worker.env).toMatchObject({
      CONTENT_CREDENTIALS: 'on',
      CONTENT_CREDENTIALS_CERT_FILE: '/tmp/state/c2pa/chain.pem',
      CONTENT_CREDENTIALS_KEY_FILE: '/tmp/state/c2pa/signer.key',
    });
    expect(worker.prepare?.[1]?.command).toEqual([
      'node',
      'services/gpu-worker/src/content-credentials/cli/test-chain.ts',
      '--out',
      '/tmp/state/c2pa',
    ]);
  });

  it('should serve the built portal with the API behind the same origin', () => {
    const web = spec('web');
    expect(web.command).toEqual(['node', 'web/server/serve.mjs', 'dist/web/browser']);
    expect(web.env).toMatchObject({ PORT: '4200', API_PROXY_TARGET: 'http://127.0.0.1:3000' });
  });

  it('should wire the operator to the local Kubernetes API and the API internal routes when there is a kubeconfig', () => {
    const operator = spec('operator');
    expect(operator.env).toMatchObject({
      KUBECONFIG: '/tmp/state/kubeconfig',
      CINEWEAVE_API_URL: 'http://127.0.0.1:3000',
      INTERNAL_TOKEN: endpoints.internalToken,
      METRICS_PORT: '9465',
    });
    expect(operator.readyUrl).toBe('http://127.0.0.1:9465/readyz');
    expect(projectsToBuild(serviceSpecs(endpoints))).toEqual(['api', 'gpu-worker', 'web', 'operator']);
  });

  it('should leave the operator out when the stack runs without Kubernetes', () => {
    const { kubeconfig: _kubeconfig, ...withoutKubernetes } = endpoints;
    expect(projectsToBuild(serviceSpecs(withoutKubernetes))).toEqual(['api', 'gpu-worker', 'web']);
  });
});
