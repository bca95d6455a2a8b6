import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { resourcePath } from '../src/kube/resource-paths.ts';
import {
  clientFor,
  createNamespace,
  eventually,
  KubeApiServer,
  leaseHolder,
  OperatorProcess,
  videoJob,
} from './controllers-harness.ts';
import { buildApi, INTERNAL_TOKEN, RealApi } from './e2e-support.ts';

type VJ = KubeObject & { status?: VideoJobStatus };
const NS = 'ha';
const USER = 'ha-owner';
const SPEC = { resolution: '640x352', durationSeconds: 1, steps: 4 };

describe('Leader handover end to end with the real API', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: RealApi;
  let dir: string;
  const operators: OperatorProcess[] = [];

  const start = (identity: string): OperatorProcess => {
    const operator = new OperatorProcess(identity, {
      KUBECONFIG: join(dir, 'kubeconfig'),
      CINEWEAVE_API_URL: api.url,
      INTERNAL_TOKEN,
    });
    operators.push(operator);
    return operator;
  };
  const read = (name: string) => client.get<VJ>(resourcePath(VIDEOJOB_RESOURCE, NS, name));
  const apply = (name: string) =>
    client.create(resourcePath(VIDEOJOB_RESOURCE, NS), videoJob(name, NS, SPEC));

  beforeAll(async () => {
    await buildApi();
    api = await RealApi.start('operator_ha');
    await api.initUser(USER);
    server = await KubeApiServer.start();
    client = clientFor(server);
    dir = await mkdtemp(join(tmpdir(), 'cineweave-operator-e2e-ha-'));
    await server.writeKubeconfig(join(dir, 'kubeconfig'));
    await createNamespace(client, NS, USER);
  }, 300_000);

  afterAll(async () => {
    for (const operator of operators) await operator.kill();
    await api?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should hand over to the standby after the leader is killed, with one API job per VideoJob', async () => {
    const leader = start('operator-a');
    await eventually(
      () => leaseHolder(client),
      (holder) => holder === 'operator-a',
      'operator-a leading',
      30_000,
    );
    const standby = start('operator-b');
    await standby.started();
    for (const name of ['first', 'second']) await apply(name);
    const accepted = await Promise.all(
      ['first', 'second'].map((name) =>
        eventually(
          () => read(name),
          (vj) => !!vj.status?.jobId,
          `${name} accepted`,
        ),
      ),
    );
    await leader.kill('SIGKILL');
    await apply('third');
    await eventually(
      () => leaseHolder(client),
      (holder) => holder === 'operator-b',
      'operator-b leading',
      20_000,
    );
    const third = await eventually(
      () => read('third'),
      (vj) => !!vj.status?.jobId,
      'third accepted by the standby',
    );
    for (const vj of accepted) expect((await read(vj.metadata.name)).status?.jobId).toBe(vj.status?.jobId);
    const { rows } = await api.db.query<{ external_ref: string; n: number }>(
      `SELECT external_ref, count(*)::int AS n FROM jobs GROUP BY external_ref`,
    );
    expect(rows.map((row) => row.n)).toEqual([1, 1, 1]);
    expect(rows.map((row) => row.external_ref).sort()).toEqual(
      [...accepted.map((vj) => vj.metadata.uid), third.metadata.uid].sort(),
    );
    expect((await api.credits(USER)).reserved).toBe(9);
  }, 120_000);
});
