import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPoolStatus } from '@cineweave/contracts';
import { WORKERPOOL_RESOURCE } from '../src/controllers/workerpool/workerpool-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import type { Operator } from '../src/operator.ts';
import { clientFor, eventually, KubeApiServer, leaseHolder, startOperator } from './controllers-harness.ts';
import { StubApi } from './controllers-stub-api.ts';

const NS = 'gpu-ha';
const MODEL = 'wan2.2-ti2v-5b';
const DELAY_SECONDS = 4;

type Pool = KubeObject & { status?: WorkerPoolStatus };

describe('WorkerPool scale-down delay across a change of leader', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  const operators: Operator[] = [];

  beforeAll(async () => {
    server = await KubeApiServer.start({ namespaces: ['default', NS] });
    client = clientFor(server);
    api = await StubApi.start();
  });

  afterAll(async () => {
    for (const operator of operators) await operator.stop();
    await api?.close();
    await server?.close();
  });

  const start = (identity: string): Operator => {
    const { operator } = startOperator({
      client: clientFor(server),
      apiUrl: api.url,
      token: 'x'.repeat(32),
      identity,
    });
    operators.push(operator);
    return operator;
  };
  const replicas = async () =>
    (
      await client.get<KubeObject & { spec: { replicas: number } }>(
        resourcePath(RESOURCES.deployments, NS, 'render-workers'),
      )
    ).spec.replicas;
  const readPool = () => client.get<Pool>(resourcePath(WORKERPOOL_RESOURCE, NS, 'render'));
  const pending = (pool: Pool) => pool.status?.conditions?.find((c) => c.type === 'ScaleDownPending');

  it('should let the new leader scale down when the delay that began under the old one ends, not a delay later', async () => {
    const first = start('operator-a');
    await eventually(
      () => leaseHolder(client),
      (holder) => holder === 'operator-a',
      'operator-a leading',
    );
    const standby = start('operator-b');

    api.backlog.set(MODEL, { waiting: 2, active: 0 });
    await client.create(resourcePath(WORKERPOOL_RESOURCE, NS), {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'render', namespace: NS },
      spec: {
        model: MODEL,
        minReplicas: 0,
        maxReplicas: 3,
        jobsPerReplica: 1,
        scaleDownDelaySeconds: DELAY_SECONDS,
      },
    });
    await eventually(replicas, (n) => n === 2, '2 replicas');
    expect(pending(await readPool())?.status).toBe('False');

    // Demand falls: the leader starts the delay and says since when in status.
    api.backlog.set(MODEL, { waiting: 0, active: 0 });
    const lowered = await eventually(
      readPool,
      (pool) => pending(pool)?.status === 'True',
      'ScaleDownPending',
    );
    expect(pending(lowered)?.reason).toBe('LowDemand');
    const lowSince = Date.parse(pending(lowered)?.lastTransitionTime ?? '');

    // Halfway through the delay the leader steps down; the standby takes the lease.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await replicas()).toBe(2);
    await first.stop();
    await eventually(
      () => leaseHolder(client),
      (holder) => holder === 'operator-b',
      'operator-b leading',
    );
    const tookOverAt = Date.now();
    expect(standby.isLeader).toBe(true);
    expect(pending(await readPool())?.lastTransitionTime).toBe(new Date(lowSince).toISOString());

    await eventually(replicas, (n) => n === 0, 'scale-down to 0', 10_000);
    const scaledAt = Date.now();
    // The delay is honoured from when demand fell, not restarted by the new leader.
    expect(scaledAt - lowSince).toBeGreaterThanOrEqual(DELAY_SECONDS * 1000 - 100);
    expect(scaledAt - tookOverAt).toBeLessThan(DELAY_SECONDS * 1000 - 500);
    const settled = await eventually(
      readPool,
      (pool) => pending(pool)?.status === 'False',
      'ScaleDownPending=False',
    );
    expect(pending(settled)?.reason).toBe('DemandMet');
  }, 30_000);
});
