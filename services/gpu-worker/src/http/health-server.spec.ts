import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerMetrics } from '../metrics/worker-metrics.ts';
import { HealthServer } from './health-server.ts';

describe(HealthServer.name, () => {
  const metrics = new WorkerMetrics(3.6);
  const server = new HealthServer(metrics.registry);
  let base = '';

  beforeAll(async () => {
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  it('should be healthy but not ready while the model loads', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const readiness = await fetch(`${base}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.text()).toContain('loading the model');
  });

  it('should be ready once the model is loaded', async () => {
    server.markReady();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('should say why it is not ready when its engine stops answering', async () => {
    server.markNotReady('the engine is not ready: connect ECONNREFUSED 127.0.0.1:8000');
    const readiness = await fetch(`${base}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await readiness.text()).toContain('ECONNREFUSED');
    server.markReady();
  });

  it('should serve the worker metrics with GPU cost derived from GPU seconds', async () => {
    metrics.recordGpuTime('wan2.2-ti2v-5b', 100);
    metrics.busy.set(1);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toContain('cineweave_worker_gpu_seconds_total{model="wan2.2-ti2v-5b"} 100');
    // 100 s at 3.6 USD per hour = 0.1 USD
    expect(body).toContain('cineweave_worker_gpu_cost_usd_total{model="wan2.2-ti2v-5b"} 0.1');
    expect(body).toContain('cineweave_worker_busy 1');
  });

  it('should answer 404 elsewhere and 405 to writes', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/readyz`, { method: 'POST' })).status).toBe(405);
  });
});
