import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import {
  clientFor,
  createNamespace,
  eventually,
  KubeApiServer,
  leaseHolder,
  OperatorProcess,
  videoJob,
} from './controllers-harness.ts';
import { StubApi } from './controllers-stub-api.ts';

const NS = 'team-ha';
/** OperatorProcess runs with a 3 s lease, a 2 s renew deadline and a 1 s retry period. */
const LEASE_SECONDS = 3;

type VJ = KubeObject & { status?: VideoJobStatus };

describe('Leader election between operator processes', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  let dir: string;
  const processes = new Map<string, OperatorProcess>();

  const start = (identity: string): OperatorProcess => {
    const operator = new OperatorProcess(identity, {
      KUBECONFIG: join(dir, 'kubeconfig'),
      CINEWEAVE_API_URL: api.url,
    });
    processes.set(identity, operator);
    return operator;
  };
  const holder = () => leaseHolder(client);
  const read = (name: string) => client.get<VJ>(resourcePath(VIDEOJOB_RESOURCE, NS, name));
  const apply = (name: string) => client.create(resourcePath(VIDEOJOB_RESOURCE, NS), videoJob(name, NS));

  beforeAll(async () => {
    server = await KubeApiServer.start();
    client = clientFor(server);
    api = await StubApi.start();
    dir = await mkdtemp(join(tmpdir(), 'cineweave-operator-ha-'));
    await server.writeKubeconfig(join(dir, 'kubeconfig'));
    await createNamespace(client, NS, 'user-1');
  });

  afterAll(async () => {
    for (const operator of processes.values()) await operator.kill();
    await api?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should let a standby take over within the lease duration without duplicate submissions when the leader is killed', async () => {
    const first = start('operator-a');
    await eventually(holder, (identity) => identity === 'operator-a', 'operator-a leading', 30_000);
    // The standby must have seen the lease before the leader dies: it trusts only its own clock.
    await start('operator-b').started();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const name of ['one', 'two', 'three']) await apply(name);
    const before = await Promise.all(
      ['one', 'two', 'three'].map((name) =>
        eventually(
          () => read(name),
          (vj) => !!vj.status?.jobId,
          `${name} accepted`,
        ),
      ),
    );
    // The standby is not reconciling: every submission so far is the leader's, once per uid.
    expect(api.byUid.size).toBe(3);

    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually(holder, (identity) => identity === 'operator-b', 'operator-b leading', 20_000);
    // Lease duration by the standby's own clock, plus a retry period and this busy machine's slack.
    expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 4) * 1000);
    await apply('four');
    await eventually(
      () => read('four'),
      (vj) => !!vj.status?.jobId,
      'four accepted by the new leader',
    );
    for (const vj of before) {
      expect((await read(vj.metadata.name)).status?.jobId).toBe(vj.status?.jobId);
    }
    expect(api.byUid.size).toBe(4);
    const lease = await client.get<KubeObject & { spec?: { leaseTransitions?: number } }>(
      resourcePath(RESOURCES.leases, 'default', 'cineweave-operator'),
    );
    expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('should release the lease on SIGTERM so that a new candidate leads at once', async () => {
    const leader = processes.get('operator-b');
    if (!leader) throw new Error('operator-b is not running');
    expect(await leader.kill('SIGTERM')).toBe(0);
    expect(await holder()).toBeNull();
    const next = start('operator-c');
    await next.started();
    const startedAt = Date.now();
    await eventually(holder, (identity) => identity === 'operator-c', 'operator-c leading', 20_000);
    // No waiting out a lease: the released one is free for the taking at the first try.
    expect(Date.now() - startedAt).toBeLessThan(LEASE_SECONDS * 1000);
  }, 60_000);
});
