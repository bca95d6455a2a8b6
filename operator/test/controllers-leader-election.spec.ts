import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import { clientFor, createNamespace, eventually, KubeApiServer, videoJob } from './controllers-harness.ts';
import { StubApi } from './controllers-stub-api.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const NS = 'team-ha';
const LEASE_SECONDS = 3;

type Lease = KubeObject & { spec?: { holderIdentity?: string | null; leaseTransitions?: number } };
type VJ = KubeObject & { status?: VideoJobStatus };

describe('Leader election between operator processes', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  let dir: string;
  const processes = new Map<string, ChildProcess>();

  function startProcess(identity: string): ChildProcess {
    const child = spawn(process.execPath, ['--conditions=@cineweave/source', MAIN], {
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: join(dir, 'kubeconfig'),
        CINEWEAVE_API_URL: api.url,
        INTERNAL_TOKEN: 'x'.repeat(32),
        WORKER_IMAGE: 'ghcr.io/cineweave/gpu-worker:test',
        WORKER_SECRET_NAME: 'cineweave-worker',
        METRICS_PORT: '0',
        METRICS_HOST: '127.0.0.1',
        LEADER_ELECTION_NAMESPACE: 'default',
        LEADER_ELECTION_IDENTITY: identity,
        LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
        RENEW_DEADLINE_SECONDS: '2',
        RETRY_PERIOD_SECONDS: '1',
        JOB_POLL_SECONDS: '0.3',
        LOG_LEVEL: process.env.OPERATOR_TEST_LOG ?? 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.OPERATOR_TEST_LOG) process.stdout.write(chunk);
    });
    processes.set(identity, child);
    started.set(identity, () => output.includes('Started operator'));
    return child;
  }
  const started = new Map<string, () => boolean>();
  const running = (identity: string) =>
    eventually(
      () => started.get(identity)?.() ?? false,
      (up) => up,
      `${identity} started`,
      20_000,
    );

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.once('exit', (code) => resolve(code));
    });
  const lease = () => client.get<Lease>(resourcePath(RESOURCES.leases, 'default', 'cineweave-operator'));
  const holder = async () => (await lease()).spec?.holderIdentity ?? null;
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
    for (const child of processes.values()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited(child);
      }
    }
    await api?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('should let a standby take over within the lease duration without duplicate submissions when the leader is killed', async () => {
    const first = startProcess('operator-a');
    await eventually(holder, (identity) => identity === 'operator-a', 'operator-a leading', 20_000);
    startProcess('operator-b');
    // The standby must have seen the lease before the leader dies: it trusts only its own clock.
    await running('operator-b');
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
    // The standby must not be reconciling: every submission so far is the leader's, once per uid.
    expect(api.byUid.size).toBe(3);

    first.kill('SIGKILL');
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
    expect((await lease()).spec?.leaseTransitions).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('should release the lease on SIGTERM so that a new candidate leads at once', async () => {
    const leader = processes.get('operator-b');
    if (!leader) throw new Error('operator-b is not running');
    leader.kill('SIGTERM');
    expect(await exited(leader)).toBe(0);
    expect(await holder()).toBeNull();
    startProcess('operator-c');
    await running('operator-c');
    const startedAt = Date.now();
    await eventually(holder, (identity) => identity === 'operator-c', 'operator-c leading', 20_000);
    // No waiting out a lease: the released one is free for the taking at the first try.
    expect(Date.now() - startedAt).toBeLessThan(LEASE_SECONDS * 1000);
  }, 60_000);
});
