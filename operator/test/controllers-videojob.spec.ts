import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus } from '@cineweave/contracts';
import { FINALIZER, OPERATOR_PERMISSIONS } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import type { KubeClient } from '../src/kube/kube-client.ts';
import { isKubeStatus } from '../src/kube/kube-client.ts';
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
import type { RbacCall } from './controllers-permissions.ts';
import { notPermitted, recordCalls } from './controllers-permissions.ts';
import { STUB_PERSONAL_TEAM, STUB_TEAM, StubApi } from './controllers-stub-api.ts';
import { HealthServer } from '../src/observability/health-server.ts';
import type { OperatorMetrics } from '../src/observability/operator-metrics.ts';

type VJ = KubeObject & { status?: VideoJobStatus };
const NS = 'team-a';

describe('VideoJobController against the test API server', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: StubApi;
  let operator: Operator;
  let metrics: OperatorMetrics;
  let calls: RbacCall[];

  beforeAll(async () => {
    server = await KubeApiServer.start({ historyLimit: 1_000 });
    client = clientFor(server);
    api = await StubApi.start();
    await createNamespace(client, NS, { 'cineweave.io/team': STUB_TEAM });
    await createNamespace(client, 'legacy', 'user-1');
    await createNamespace(client, 'no-team');
    await createNamespace(client, 'wrong-team', {
      'cineweave.io/team': '00000000-0000-4000-8000-000000000000',
    });
    await createNamespace(client, 'typo-team', { 'cineweave.io/team': 'studio' });
    await createNamespace(client, 'stranger', 'user-unknown');
    const operatorClient = clientFor(server);
    calls = recordCalls(operatorClient);
    ({ operator, metrics } = startOperator({
      client: operatorClient,
      apiUrl: api.url,
      token: 'x'.repeat(32),
      linkRefreshMarginMs: 2_000,
      holdTimings: { retryMs: 200, recheckMaxMs: 800 },
    }));
  });

  afterAll(async () => {
    await operator?.stop();
    await api?.close();
    await server?.close();
  });

  afterEach(() => {
    api.down = undefined;
    api.refuseWith = undefined;
    api.linkLifetimeMs = undefined;
  });

  const path = (name: string, namespace = NS) => resourcePath(VIDEOJOB_RESOURCE, namespace, name);
  const read = (name: string, namespace = NS) => client.get<VJ>(path(name, namespace));
  const apply = (name: string, spec: Record<string, unknown> = {}, namespace = NS) =>
    client.create<VJ>(resourcePath(VIDEOJOB_RESOURCE, namespace), videoJob(name, namespace, spec));
  const condition = (vj: VJ, type: string) => vj.status?.conditions?.find((c) => c.type === type);

  it('should go Accepted → Running with progress → Complete with output when the job renders', async () => {
    const created = await apply('fox');
    const accepted = await eventually(
      () => read('fox'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
    );
    expect(accepted.metadata.finalizers).toContain(FINALIZER);
    expect(accepted.status).toMatchObject({ phase: 'Queued', creditsReserved: 10, observedGeneration: 1 });
    const jobId = accepted.status?.jobId ?? '';
    expect(api.byUid.get(created.metadata.uid ?? '')).toBe(jobId);

    api.setStatus(jobId, { status: 'running', progress: 40, startedAt: new Date().toISOString() });
    const running = await eventually(
      () => read('fox'),
      (vj) => vj.status?.phase === 'Running',
      'Running',
    );
    expect(running.status?.progress).toBe(40);

    api.setStatus(jobId, {
      status: 'succeeded',
      progress: 100,
      creditsCharged: 10,
      gpuSeconds: 12.5,
      videoKey: `outputs/acct/${jobId}/video.mp4`,
      thumbnailKey: `outputs/acct/${jobId}/thumbnail.jpg`,
      videoUrl: `/v1/jobs/${jobId}/video`,
      outputExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      finishedAt: new Date().toISOString(),
    });
    const done = await eventually(
      () => read('fox'),
      (vj) => condition(vj, 'Complete')?.status === 'True',
      'Complete',
    );
    expect(done.status).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      creditsCharged: 10,
      gpuSeconds: 12.5,
      output: { objectKey: `outputs/acct/${jobId}/video.mp4`, url: `${api.url}/v1/jobs/${jobId}/video` },
    });
    const events = await client.list(resourcePath(RESOURCES.events, NS));
    const reasons = events.items
      .filter((event) => (event.regarding as { name?: string } | undefined)?.name === 'fox')
      .map((event) => event.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Submitted', 'Running', 'Succeeded']));
  });

  it('should put presigned links in status and replace them shortly before they expire', async () => {
    api.linkLifetimeMs = 4_000;
    await apply('links');
    const { status } = await eventually(
      () => read('links'),
      (vj) => !!vj.status?.jobId,
      'jobId',
    );
    const jobId = status?.jobId ?? '';
    const videoKey = `outputs/acct/${jobId}/video.mp4`;
    api.setStatus(jobId, {
      status: 'succeeded',
      progress: 100,
      creditsCharged: 10,
      videoKey,
      thumbnailKey: `outputs/acct/${jobId}/thumbnail.jpg`,
      videoUrl: `/v1/jobs/${jobId}/video`,
      outputExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      finishedAt: new Date().toISOString(),
    });
    const first = await eventually(
      () => read('links'),
      (vj) => !!vj.status?.output?.url,
      'a presigned link',
    );
    const seenAt = Date.now();
    const output = first.status?.output;
    expect(output?.url).toMatch(
      new RegExp(`^http://s3\\.test/cineweave/${videoKey}\\?X-Amz-Signature=\\d+$`),
    );
    expect(output?.thumbnailUrl).toContain('/thumbnail.jpg?X-Amz-Signature=');
    const expiresAt = Date.parse(output?.expiresAt ?? '');
    expect(expiresAt - seenAt).toBeGreaterThan(2_000);
    expect(expiresAt - seenAt).toBeLessThanOrEqual(4_000);

    // Polls in between sign new links, but status keeps the first until 2 s (the margin) before expiry.
    const second = await eventually(
      () => read('links'),
      (vj) => vj.status?.output?.url !== output?.url,
      'a fresh link',
      10_000,
    );
    const replacedAt = Date.now();
    expect(replacedAt).toBeGreaterThanOrEqual(expiresAt - 2_000 - 100);
    expect(replacedAt).toBeLessThan(expiresAt);
    expect(Date.parse(second.status?.output?.expiresAt ?? '')).toBeGreaterThan(expiresAt);
    expect(second.status?.output).toMatchObject({ objectKey: videoKey, thumbnailKey: output?.thumbnailKey });
  });

  it('should fail with InvalidSpec and submit nothing when the spec only passes the CRD schema', async () => {
    const before = api.calls.length;
    await apply('blank', { prompt: '   ' });
    const failed = await eventually(
      () => read('blank'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(failed.status?.message).toContain('spec.prompt');
    expect(failed.status?.jobId).toBeUndefined();
    expect(api.calls.slice(before).filter((call) => call.startsWith('POST'))).toEqual([]);
  });

  const eventsAbout = async (name: string, namespace = NS) =>
    (await client.list(resourcePath(RESOURCES.events, namespace))).items.filter(
      (event) => (event.regarding as { name?: string } | undefined)?.name === name,
    );
  const submissionsOf = (uid: string | undefined) => api.submissions.filter((body) => body.uid === uid);

  it("should submit with the namespace's team and mirror the queue standing into the Queued condition", async () => {
    const created = await apply('charged');
    const accepted = await eventually(
      () => read('charged'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
    );
    expect(submissionsOf(created.metadata.uid)).toEqual([
      expect.objectContaining({ teamId: STUB_TEAM, namespace: NS }),
    ]);
    expect(submissionsOf(created.metadata.uid)[0].userId).toBeUndefined();
    expect(condition(accepted, 'Queued')).toMatchObject({ status: 'True', reason: 'Admitted' });
    expect(condition(accepted, 'Complete')).toMatchObject({ status: 'False', reason: 'Queued' });
    const jobId = accepted.status?.jobId ?? '';
    const message = 'A worker of wan2.2-ti2v-5b is starting; 2 jobs are ahead of it.';
    api.setStatus(jobId, {
      queuePosition: 2,
      queue: { position: 2, reason: 'ScalingUp', message, etaSeconds: 90 },
    });
    const scaling = await eventually(
      () => read('charged'),
      (vj) => condition(vj, 'Queued')?.reason === 'ScalingUp',
      'Queued=ScalingUp',
    );
    expect(condition(scaling, 'Queued')?.message).toBe(`Queued: ${message}`);
    expect(scaling.status).toMatchObject({ phase: 'Queued', queuePosition: 2, queueEtaSeconds: 90 });
    api.setStatus(jobId, { status: 'running', progress: 5, queue: undefined });
    const running = await eventually(
      () => read('charged'),
      (vj) => vj.status?.phase === 'Running',
      'Running',
    );
    expect(condition(running, 'Queued')).toMatchObject({ status: 'False', reason: 'Running' });
    expect(running.status?.queuePosition).toBeUndefined();
  });

  it('should hold a VideoJob of a namespace bound to no team, say which annotation to add, and submit it once added', async () => {
    const created = await apply('orphan', {}, 'no-team');
    const waiting = await eventually(
      () => read('orphan', 'no-team'),
      (vj) => condition(vj, 'Accepted')?.reason === 'NamespaceHasNoTeam',
      'NamespaceHasNoTeam',
    );
    expect(waiting.status?.phase).toBe('Pending');
    expect(condition(waiting, 'Accepted')?.status).toBe('False');
    expect(condition(waiting, 'Failed')).toBeUndefined();
    expect(waiting.status?.message).toContain(
      'kubectl annotate namespace no-team cineweave.io/team=<team id>',
    );
    const warnings = await eventually(
      () => eventsAbout('orphan', 'no-team'),
      (events) => events.some((event) => event.reason === 'NamespaceHasNoTeam'),
      'Warning event',
    );
    expect(warnings.find((event) => event.reason === 'NamespaceHasNoTeam')?.type).toBe('Warning');
    // Not retried on a timer: nothing is submitted and the status is not rewritten while it waits.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const still = await read('orphan', 'no-team');
    expect(still.metadata.resourceVersion).toBe(waiting.metadata.resourceVersion);
    expect(submissionsOf(created.metadata.uid)).toEqual([]);

    await annotateNamespace(client, 'no-team', { 'cineweave.io/team': STUB_TEAM });
    const accepted = await eventually(
      () => read('orphan', 'no-team'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted after the annotation',
    );
    expect(accepted.status?.phase).toBe('Queued');
    expect(submissionsOf(created.metadata.uid)).toEqual([
      expect.objectContaining({ teamId: STUB_TEAM, namespace: 'no-team' }),
    ]);
  }, 20_000);

  it('should hold with UnknownTeam when the annotated team does not exist or is no team id, without retrying', async () => {
    const created = await apply('misdirected', {}, 'wrong-team');
    const unknown = await eventually(
      () => read('misdirected', 'wrong-team'),
      (vj) => condition(vj, 'Accepted')?.reason === 'UnknownTeam',
      'UnknownTeam',
    );
    expect(unknown.status?.phase).toBe('Pending');
    expect(unknown.status?.message).toContain('knows no team 00000000-0000-4000-8000-000000000000');
    expect(unknown.status?.message).toContain('kubectl annotate --overwrite namespace wrong-team');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(submissionsOf(created.metadata.uid)).toHaveLength(1);

    const typo = await apply('typo', {}, 'typo-team');
    const malformed = await eventually(
      () => read('typo', 'typo-team'),
      (vj) => condition(vj, 'Accepted')?.reason === 'UnknownTeam',
      'UnknownTeam (malformed)',
    );
    expect(malformed.status?.message).toContain('"studio" is not a team id');
    expect(submissionsOf(typo.metadata.uid)).toEqual([]);

    await annotateNamespace(client, 'wrong-team', { 'cineweave.io/team': STUB_TEAM });
    await eventually(
      () => read('misdirected', 'wrong-team'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted after the fix',
    );
  });

  it('should keep a namespace with only the legacy account annotation working and warn with the team id to set', async () => {
    const created = await apply('old-style', {}, 'legacy');
    await eventually(
      () => read('old-style', 'legacy'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
    );
    expect(submissionsOf(created.metadata.uid)).toEqual([expect.objectContaining({ userId: 'user-1' })]);
    expect(submissionsOf(created.metadata.uid)[0].teamId).toBeUndefined();
    const command = `kubectl annotate namespace legacy cineweave.io/team=${STUB_PERSONAL_TEAM} && kubectl annotate namespace legacy cineweave.io/account-`;
    const onJob = await eventually(
      () => eventsAbout('old-style', 'legacy'),
      (events) => events.some((event) => event.reason === 'DeprecatedAccountAnnotation'),
      'Warning on the VideoJob',
    );
    const warning = onJob.find((event) => event.reason === 'DeprecatedAccountAnnotation');
    expect(warning?.type).toBe('Warning');
    expect(warning?.note).toContain(command);
    // On the Namespace too, in `default` as upstream keeps events of cluster-scoped objects.
    const onNamespace = await eventually(
      async () =>
        (await client.list(resourcePath(RESOURCES.events, 'default'))).items.filter(
          (event) => (event.regarding as { kind?: string } | undefined)?.kind === 'Namespace',
        ),
      (events) => events.length > 0,
      'Warning on the Namespace',
    );
    expect(onNamespace[0]).toMatchObject({
      type: 'Warning',
      reason: 'DeprecatedAccountAnnotation',
      regarding: { kind: 'Namespace', name: 'legacy' },
    });
    expect((onNamespace[0].regarding as { namespace?: string }).namespace).toBeUndefined();
    // Once per namespace (an hour): a second VideoJob warns on itself only.
    await apply('old-style-2', {}, 'legacy');
    await eventually(
      () => eventsAbout('old-style-2', 'legacy'),
      (events) => events.some((event) => event.reason === 'DeprecatedAccountAnnotation'),
      'Warning on the second VideoJob',
    );
    const namespaceWarnings = (await client.list(resourcePath(RESOURCES.events, 'default'))).items.filter(
      (event) => (event.regarding as { kind?: string } | undefined)?.kind === 'Namespace',
    );
    expect(namespaceWarnings).toHaveLength(1);
  }, 20_000);

  it('should fail with NoAccount when the legacy annotation names a user the API does not know', async () => {
    await apply('lost', {}, 'stranger');
    const failed = await eventually(
      () => read('lost', 'stranger'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('NoAccount');
    expect(failed.status?.message).toContain('user-unknown');
  });

  it('should hold a VideoJob refused by the monthly quota as Queued/QuotaExhausted, retry, and submit it once the limit frees', async () => {
    const resetsAt = '2099-01-01T00:00:00.000Z';
    api.refuseWith = {
      status: 402,
      code: 'QUOTA_EXHAUSTED',
      detail: "The team's monthly credit quota is used up.",
      limit: { name: 'monthly-credit-quota', teamId: STUB_TEAM, value: 500, used: 495, resetsAt },
    };
    const created = await apply('over-quota');
    const held = await eventually(
      () => read('over-quota'),
      (vj) => condition(vj, 'Queued')?.reason === 'QuotaExhausted',
      'Queued=QuotaExhausted',
    );
    expect(held.status?.phase).toBe('Pending');
    expect(held.status?.jobId).toBeUndefined();
    expect(condition(held, 'Queued')?.status).toBe('True');
    expect(condition(held, 'Accepted')).toMatchObject({ status: 'False', reason: 'QuotaExhausted' });
    expect(condition(held, 'Failed')).toBeUndefined();
    expect(held.status?.message).toContain('monthly credit quota of 500 (monthly-credit-quota)');
    expect(held.status?.message).toContain(`It resets at ${resetsAt}`);
    // Re-checked at most every recheckMaxMs (800 ms here) though the reset is far away.
    await eventually(
      () => submissionsOf(created.metadata.uid).length,
      (tries) => tries >= 2,
      'a second try',
      5_000,
    );
    const events = await eventsAbout('over-quota');
    expect(events.filter((event) => event.reason === 'QuotaExhausted')).toHaveLength(1);

    api.refuseWith = undefined;
    const admitted = await eventually(
      () => read('over-quota'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted once the quota freed',
      5_000,
    );
    expect(admitted.status?.phase).toBe('Queued');
    expect(condition(admitted, 'Queued')).toMatchObject({ status: 'True', reason: 'Admitted' });
    // Queued since the hold began.
    expect(condition(admitted, 'Queued')?.lastTransitionTime).toBe(
      condition(held, 'Queued')?.lastTransitionTime,
    );
  });

  it('should hold a VideoJob refused by the active-job limit as TeamLimit and retry after Retry-After', async () => {
    api.refuseWith = {
      status: 429,
      code: 'ACTIVE_JOB_LIMIT',
      detail: 'Too many active jobs.',
      limit: { name: 'active-jobs', teamId: STUB_TEAM, value: 2, used: 2 },
      retryAfter: 0.3,
    };
    await apply('busy-team');
    const held = await eventually(
      () => read('busy-team'),
      (vj) => condition(vj, 'Queued')?.reason === 'TeamLimit',
      'Queued=TeamLimit',
    );
    expect(held.status?.message).toBe(
      `Held by the team's active-job limit (active-jobs): team ${STUB_TEAM} has 2 of its 2 active jobs queued or running. Submitted again every 1 s until one finishes.`,
    );
    api.refuseWith = undefined;
    await eventually(
      () => read('busy-team'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted once a slot freed',
      5_000,
    );
  });

  it('should hold a VideoJob the team lacks credits for, then submit it once credits allow', async () => {
    api.refuseWith = {
      status: 402,
      code: 'INSUFFICIENT_CREDITS',
      detail: 'The job costs 10 credits; 0 are available.',
    };
    await apply('broke');
    const held = await eventually(
      () => read('broke'),
      (vj) => condition(vj, 'Queued')?.reason === 'InsufficientCredits',
      'Queued=InsufficientCredits',
    );
    expect(held.status?.phase).toBe('Pending');
    expect(held.status?.message).toContain('0 are available');
    api.refuseWith = undefined;
    await eventually(
      () => read('broke'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted once credits allow',
      5_000,
    );
  });

  it('should stay Pending with ApiUnavailable and never fail when the API is down, then submit once it is back', async () => {
    api.down = 503;
    await apply('patient');
    const pending = await eventually(
      () => read('patient'),
      (vj) => condition(vj, 'Accepted')?.reason === 'ApiUnavailable',
      'ApiUnavailable',
    );
    expect(pending.status?.phase).toBe('Pending');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await read('patient')).status?.phase).toBe('Pending');
    api.down = undefined;
    const accepted = await eventually(
      () => read('patient'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
    );
    expect(accepted.status?.phase).toBe('Queued');
  });

  it('should cancel the job once and then let the VideoJob go when it is deleted mid-run', async () => {
    await apply('doomed');
    const accepted = await eventually(
      () => read('doomed'),
      (vj) => !!vj.status?.jobId,
      'jobId',
    );
    const jobId = accepted.status?.jobId ?? '';
    api.setStatus(jobId, { status: 'running', progress: 10 });
    await eventually(
      () => read('doomed'),
      (vj) => vj.status?.phase === 'Running',
      'Running',
    );
    await client.request({ method: 'DELETE', path: path('doomed') });
    await eventually(
      () =>
        read('doomed').then(
          () => false,
          (error: unknown) => isKubeStatus(error, 404),
        ),
      (gone) => gone,
      'VideoJob deleted',
    );
    expect(api.cancels.filter((id) => id === jobId)).toHaveLength(1);
    expect(api.jobs.get(jobId)?.status).toBe('cancelled');
  });

  it('should finish the job when the watch history is compacted mid-run (410 Gone)', async () => {
    await apply('resilient');
    const accepted = await eventually(
      () => read('resilient'),
      (vj) => !!vj.status?.jobId,
      'jobId',
    );
    server.compactHistory();
    await apply('after-compaction');
    api.setStatus(accepted.status?.jobId ?? '', {
      status: 'succeeded',
      progress: 100,
      creditsCharged: 10,
      finishedAt: new Date().toISOString(),
    });
    await eventually(
      () => read('resilient'),
      (vj) => vj.status?.phase === 'Succeeded',
      'Succeeded',
    );
    await eventually(
      () => read('after-compaction'),
      (vj) => !!vj.status?.jobId,
      'VideoJob created after the compaction accepted',
    );
  });

  it('should keep one job per VideoJob when other writers race it for the object', async () => {
    const created = await apply('contested');
    const uid = created.metadata.uid ?? '';
    // Another controller keeps changing labels: every operator write may hit a stale resourceVersion.
    for (let round = 0; round < 15; round++) {
      const current = await read('contested');
      await client
        .replace(path('contested'), {
          ...current,
          metadata: { ...current.metadata, labels: { round: String(round) } },
        })
        .catch(() => undefined);
    }
    const accepted = await eventually(
      () => read('contested'),
      (vj) => vj.status?.phase === 'Queued',
      'Queued',
    );
    expect(accepted.metadata.finalizers).toEqual([FINALIZER]);
    expect(accepted.metadata.labels).toEqual({ round: '14' });
    expect([...api.byUid.keys()].filter((key) => key === uid)).toHaveLength(1);
  });

  it('should refuse a spec change after acceptance through the CRD rule', async () => {
    await eventually(
      () => read('fox'),
      (vj) => vj.status?.phase === 'Succeeded',
      'Succeeded',
    );
    const current = await read('fox');
    await expect(
      client.replace(path('fox'), {
        ...current,
        spec: { ...(current.spec as object), prompt: 'something else entirely' },
      }),
    ).rejects.toMatchObject({ statusCode: 422 });
  });

  it('should make only the Kubernetes calls the chart grants (OPERATOR_PERMISSIONS)', () => {
    expect(calls.length).toBeGreaterThan(0);
    expect(notPermitted(calls, OPERATOR_PERMISSIONS)).toEqual([]);
  });

  it('should serve reconcile counts, durations, queue depth and VideoJobs by phase on /metrics', async () => {
    const health = new HealthServer(metrics.registry, { live: () => true, ready: () => true });
    const port = await health.listen(0, '127.0.0.1');
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).toMatch(/cineweave_operator_reconcile_total\{kind="VideoJob",result="requeue"\} [1-9]/);
      expect(text).toContain('cineweave_operator_reconcile_duration_seconds_bucket{le="0.1",kind="VideoJob"');
      expect(text).toContain('cineweave_operator_workqueue_depth{kind="VideoJob"}');
      expect(text).toMatch(/cineweave_operator_videojobs\{phase="Failed"\} [1-9]/);
      expect(text).toMatch(/cineweave_operator_videojobs\{phase="Succeeded"\} [1-9]/);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    } finally {
      await health.close();
    }
  });
});
