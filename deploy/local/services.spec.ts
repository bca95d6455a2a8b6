import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDelivered, serviceSpecs, type StackEndpoints } from './services.ts';

const endpoints: StackEndpoints = {
  databaseUrl: 'postgres://postgres:pw@127.0.0.1:54329/cineweave',
  redisUrl: 'redis://127.0.0.1:63799',
  s3: { url: 'http://127.0.0.1:4569', accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'cineweave' },
  internalToken: 'token',
  ports: { api: 3000, web: 4200, workerMetrics: 9464 },
  stateDir: '/tmp/state',
};

describe('serviceSpecs', () => {
  it('should give the API its stores, dev sign-in and migrations', () => {
    const api = serviceSpecs(endpoints).find((spec) => spec.project === 'api');
    expect(api?.env).toMatchObject({
      DATABASE_URL: endpoints.databaseUrl,
      REDIS_URL: endpoints.redisUrl,
      S3_ENDPOINT: endpoints.s3.url,
      AUTH_MODE: 'dev',
      NODE_ENV: 'development',
      DB_MIGRATE: 'true',
      PORT: '3000',
      FORM_DEFAULT_QUALITY: 'draft',
    });
    expect(api?.readyUrl).toBe('http://127.0.0.1:3000/ready');
  });

  it('should run the worker on CPU with the tiny model kept in the state folder', () => {
    const worker = serviceSpecs(endpoints).find((spec) => spec.project === 'gpu-worker');
    expect(worker?.env).toMatchObject({ DEVICE: 'cpu', MODEL_DIR: '/tmp/state/models/tiny' });
    expect(worker?.prepare?.command).toEqual(
      expect.arrayContaining(['build-model', '--tiny', '--out', '/tmp/state/models/tiny']),
    );
  });

  it('should serve the built portal with the API behind the same origin', () => {
    const web = serviceSpecs(endpoints).find((spec) => spec.project === 'web');
    expect(web?.start?.command).toEqual(['node', 'web/server/serve.mjs', 'dist/web/browser']);
    expect(web?.env).toMatchObject({ PORT: '4200', API_PROXY_TARGET: 'http://127.0.0.1:3000' });
  });
});

describe('isDelivered', () => {
  const root = mkdtempSync(join(tmpdir(), 'cineweave-delivered-'));
  const [spec] = serviceSpecs(endpoints);
  if (!spec) throw new Error('serviceSpecs returned no services');
  const dir = join(root, spec.workspace);

  it('should skip a component without an entry point', () => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'node dist/main.js' } }));
    expect(isDelivered(root, spec)).toBe(false);
  });

  it('should skip a component without a start script', () => {
    writeFileSync(join(dir, 'src', 'main.ts'), '');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: {} }));
    expect(isDelivered(root, spec)).toBe(false);
  });

  it('should run a component with an entry point and a start script', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'node dist/main.js' } }));
    expect(isDelivered(root, spec)).toBe(true);
  });
});
