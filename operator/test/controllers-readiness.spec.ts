import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/kube-client.ts';
import { HealthServer } from '../src/observability/health-server.ts';
import type { Operator } from '../src/operator.ts';
import { clientFor, eventually, KubeApiServer, leaseHolder, startOperator } from './controllers-harness.ts';
import { StubApi } from './controllers-stub-api.ts';
import { readCrds } from './kube-api-server/custom-resources.ts';

interface Probe {
  status: number;
  body: string;
}

describe('Operator /readyz', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  const operators: Operator[] = [];
  const probes: HealthServer[] = [];

  beforeAll(async () => {
    // No CRDs yet: the operator is deployed before `kubectl apply -f crds/` has run.
    server = await KubeApiServer.start({ crds: [] });
    client = clientFor(server);
    api = await StubApi.start();
  });

  afterAll(async () => {
    for (const operator of operators) await operator.stop();
    for (const probe of probes) await probe.close();
    await api?.close();
    await server?.close();
  });

  /** An operator with its health server, as main.ts wires them; returns a /readyz reader. */
  async function start(identity: string): Promise<() => Promise<Probe>> {
    const { operator, metrics } = startOperator({
      client: clientFor(server),
      apiUrl: api.url,
      token: 'x'.repeat(32),
      identity,
    });
    operators.push(operator);
    const health = new HealthServer(metrics.registry, {
      live: () => true,
      ready: () => operator.readiness(),
    });
    probes.push(health);
    const port = await health.listen(0, '127.0.0.1');
    return async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: await response.text() };
    };
  }

  let readyA: () => Promise<Probe>;
  let readyB: () => Promise<Probe>;

  it('should keep the leader unready until its caches have synced', async () => {
    readyA = await start('operator-a');
    await eventually(
      () => leaseHolder(client),
      (holder) => holder === 'operator-a',
      'operator-a leading',
    );
    // The VideoJob and WorkerPool lists answer 404 until the CRDs exist: nothing to act on yet.
    const waiting = await eventually(readyA, (probe) => probe.body.includes('waiting'), 'waiting for caches');
    expect(waiting.status).toBe(503);
    expect(waiting.body).toContain('videojobs');
    expect(waiting.body).toContain('workerpools');

    for (const crd of await readCrds()) {
      await client.create('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    }
    const ready = await eventually(readyA, (probe) => probe.status === 200, 'leader ready', 20_000);
    expect(ready.body).toBe('ok: leading; caches synced\n');
  }, 30_000);

  it('should report a standby ready while it can see the lease, without leading', async () => {
    readyB = await start('operator-b');
    const standby = await eventually(readyB, (probe) => probe.status === 200, 'standby ready');
    expect(standby.body).toBe('ok: standby; the lease loop sees the lease\n');
    expect(await leaseHolder(client)).toBe('operator-a');
  });

  it('should report both unready once the API server is gone for a lease duration', async () => {
    await server.close();
    // The leader gives up at its renew deadline and becomes a standby that cannot see the lease.
    const [a, b] = await Promise.all([
      eventually(readyA, (probe) => probe.status === 503, 'former leader unready', 10_000),
      eventually(readyB, (probe) => probe.status === 503, 'standby unready', 10_000),
    ]);
    expect(a.body).toContain('standby; the lease loop has not reached the lease');
    expect(b.body).toContain('standby; the lease loop has not reached the lease');
  }, 20_000);
});
