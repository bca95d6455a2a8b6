import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import type { KubeObject } from '../src/kube/kube-object.ts';
import { RESOURCES, resourcePath } from '../src/kube/resource-paths.ts';
import type { Operator } from '../src/operator.ts';
import {
  annotateNamespace,
  clientFor,
  createNamespace,
  eventually,
  KubeApiServer,
  startOperator,
  videoJob,
} from './controllers-harness.ts';
import { buildApi, INTERNAL_TOKEN, QueueWorker, RealApi } from './e2e-support.ts';

type VJ = KubeObject & { status?: VideoJobStatus };
const OWNER = 'e2e-team-lead';
const SPEC = { resolution: '640x352', durationSeconds: 1, steps: 4 };

describe('Namespaces mapped to teams, end to end with the real API, Postgres, Redis and s3rver', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: RealApi;
  let worker: QueueWorker;
  let operator: Operator;
  let teamId: string;

  beforeAll(async () => {
    await buildApi();
    api = await RealApi.start('opteams');
    await api.initUser(OWNER);
    // 20 credits and one job at a time.
    teamId = await api.createTeam('Studio', OWNER, 20, { activeJobLimit: 1 });
    worker = new QueueWorker(api);
    server = await KubeApiServer.start();
    client = clientFor(server);
    await createNamespace(client, 'studio', { 'cineweave.io/team': teamId });
    await createNamespace(client, 'unbound');
    await createNamespace(client, 'legacy', OWNER);
    await createNamespace(client, 'misdirected', { 'cineweave.io/team': randomUUID() });
    ({ operator } = startOperator({
      client,
      apiUrl: api.url,
      token: INTERNAL_TOKEN,
      // The API asks for 30 s after an active-job refusal and a quota waits for the month's end;
      // the test looks again every second.
      holdTimings: { retryMs: 300, recheckMaxMs: 1_000 },
    }));
  }, 300_000);

  afterAll(async () => {
    await operator?.stop();
    await worker?.close();
    await api?.close();
    await server?.close();
  });

  const read = (name: string, namespace: string) =>
    client.get<VJ>(resourcePath(VIDEOJOB_RESOURCE, namespace, name));
  const apply = (name: string, namespace: string) =>
    client.create<VJ>(resourcePath(VIDEOJOB_RESOURCE, namespace), videoJob(name, namespace, SPEC));
  const condition = (vj: VJ, type: string) => vj.status?.conditions?.find((c) => c.type === type);
  const accepted = (name: string, namespace: string, timeoutMs?: number) =>
    eventually(
      () => read(name, namespace),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      `${namespace}/${name} Accepted`,
      timeoutMs,
    );
  const jobRow = async (uid: string | undefined) =>
    (
      await api.db.query<{ account_id: string; user_id: string }>(
        `SELECT account_id, user_id FROM jobs WHERE external_ref = $1`,
        [uid],
      )
    ).rows;
  /** The GPU worker's part for the job a VideoJob holds. */
  const render = async (vj: VJ) => {
    const job = await worker.take();
    expect(job.data.jobId).toBe(vj.status?.jobId);
    await worker.finish(job, 'succeeded');
    await eventually(
      () => read(vj.metadata.name, vj.metadata.namespace ?? ''),
      (current) => current.status?.phase === 'Succeeded',
      `${vj.metadata.name} Succeeded`,
    );
  };

  it("should charge the namespace's team under the namespace's identity, and hold a second job while the team's one active job runs", async () => {
    const first = await accepted((await apply('paid', 'studio')).metadata.name, 'studio');
    expect(await jobRow(first.metadata.uid)).toEqual([{ account_id: teamId, user_id: 'kubernetes:studio' }]);
    expect(await api.credits(OWNER, teamId)).toMatchObject({ balance: 20, reserved: 3 });
    expect((await api.credits(OWNER)).reserved).toBe(0);

    // One job at a time: the API answers 429 ACTIVE_JOB_LIMIT and the VideoJob waits.
    const second = await apply('next-in-line', 'studio');
    const held = await eventually(
      () => read('next-in-line', 'studio'),
      (vj) => condition(vj, 'Queued')?.reason === 'TeamLimit',
      'Queued=TeamLimit',
    );
    expect(held.status?.phase).toBe('Pending');
    expect(condition(held, 'Queued')?.status).toBe('True');
    expect(held.status?.message).toContain("Held by the team's active-job limit");
    expect(await jobRow(second.metadata.uid)).toEqual([]);

    await render(first);
    const admitted = await accepted('next-in-line', 'studio', 20_000);
    expect(await jobRow(admitted.metadata.uid)).toEqual([
      { account_id: teamId, user_id: 'kubernetes:studio' },
    ]);
    await render(admitted);
    expect(await api.credits(OWNER, teamId)).toMatchObject({ balance: 14, reserved: 0 });
  }, 90_000);

  it('should hold a VideoJob of a namespace without a team, create no job, and submit it once the namespace is annotated', async () => {
    const created = await apply('orphan', 'unbound');
    const waiting = await eventually(
      () => read('orphan', 'unbound'),
      (vj) => condition(vj, 'Accepted')?.reason === 'NamespaceHasNoTeam',
      'NamespaceHasNoTeam',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(waiting.status?.message).toContain(
      'kubectl annotate namespace unbound cineweave.io/team=<team id>',
    );
    expect(await jobRow(created.metadata.uid)).toEqual([]);

    await annotateNamespace(client, 'unbound', { 'cineweave.io/team': teamId });
    const admitted = await accepted('orphan', 'unbound');
    expect(await jobRow(admitted.metadata.uid)).toEqual([
      { account_id: teamId, user_id: 'kubernetes:unbound' },
    ]);
    await render(admitted);
  }, 60_000);

  it('should hold with UnknownTeam when the annotation names a team the API does not know', async () => {
    const created = await apply('astray', 'misdirected');
    const waiting = await eventually(
      () => read('astray', 'misdirected'),
      (vj) => condition(vj, 'Accepted')?.reason === 'UnknownTeam',
      'UnknownTeam',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(await jobRow(created.metadata.uid)).toEqual([]);
  });

  it("should charge a legacy-annotated namespace to the user's personal team and warn with the team id to set", async () => {
    const personal = await api.db.query<{ id: string }>(`SELECT id FROM accounts WHERE user_id = $1`, [
      OWNER,
    ]);
    const personalTeam = personal.rows[0].id;
    const admitted = await accepted((await apply('old-style', 'legacy')).metadata.name, 'legacy');
    expect(await jobRow(admitted.metadata.uid)).toEqual([{ account_id: personalTeam, user_id: OWNER }]);
    const events = await eventually(
      async () =>
        (await client.list(resourcePath(RESOURCES.events, 'legacy'))).items.filter(
          (event) => event.reason === 'DeprecatedAccountAnnotation',
        ),
      (found) => found.length > 0,
      'the deprecation Warning',
    );
    expect(events[0].type).toBe('Warning');
    expect(events[0].note).toContain(
      `kubectl annotate namespace legacy cineweave.io/team=${personalTeam} && kubectl annotate namespace legacy cineweave.io/account-`,
    );
    await render(admitted);
  }, 60_000);
  it('should hold a VideoJob over the monthly quota as Queued/QuotaExhausted, and submit it once an admin raises the quota', async () => {
    // Three 3-credit jobs rendered so far this month; a quota of 9 leaves nothing for the next.
    await api.setLimits(teamId, OWNER, { monthlyCreditQuota: 9 });
    const created = await apply('over-quota', 'studio');
    const held = await eventually(
      () => read('over-quota', 'studio'),
      (vj) => condition(vj, 'Queued')?.reason === 'QuotaExhausted',
      'Queued=QuotaExhausted',
    );
    expect(held.status?.phase).toBe('Pending');
    expect(condition(held, 'Queued')?.status).toBe('True');
    expect(held.status?.message).toContain(
      `team ${teamId} has committed 9 of its monthly credit quota of 9 (monthly-credit-quota)`,
    );
    const resetsAt = /It resets at (\S+);/.exec(held.status?.message ?? '')?.[1] ?? '';
    expect(new Date(resetsAt).getUTCDate()).toBe(1);
    expect(Date.parse(resetsAt)).toBeGreaterThan(Date.now());
    expect(await jobRow(created.metadata.uid)).toEqual([]);

    await api.setLimits(teamId, OWNER, { monthlyCreditQuota: 100 });
    const admitted = await accepted('over-quota', 'studio', 20_000);
    expect(condition(admitted, 'Queued')?.status).toBe('True');
    expect(await jobRow(admitted.metadata.uid)).toEqual([
      { account_id: teamId, user_id: 'kubernetes:studio' },
    ]);
    await render(admitted);
  }, 60_000);
});
