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
  clientFor,
  createNamespace,
  eventually,
  KubeApiServer,
  startOperator,
  videoJob,
} from './controllers-harness.ts';
import type { RbacCall } from './controllers-permissions.ts';
import { notPermitted, recordCalls } from './controllers-permissions.ts';
import { StubApi } from './controllers-stub-api.ts';
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
    await createNamespace(client, NS, 'user-1');
    await createNamespace(client, 'no-account');
    await createNamespace(client, 'stranger', 'user-unknown');
    const operatorClient = clientFor(server);
    calls = recordCalls(operatorClient);
    ({ operator, metrics } = startOperator({
      client: operatorClient,
      apiUrl: api.url,
      token: 'x'.repeat(32),
      linkRefreshMarginMs: 2_000,
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

  it('should fail with NoAccount when the namespace has no account annotation', async () => {
    await apply('orphan', {}, 'no-account');
    const failed = await eventually(
      () => read('orphan', 'no-account'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('NoAccount');
    expect(condition(failed, 'Accepted')).toMatchObject({ status: 'False', reason: 'NoAccount' });
  });

  it('should fail with NoAccount when the API knows no such user', async () => {
    await apply('lost', {}, 'stranger');
    const failed = await eventually(
      () => read('lost', 'stranger'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('NoAccount');
    expect(failed.status?.message).toContain('user-unknown');
  });

  it('should fail with InsufficientCredits when the API answers 402', async () => {
    api.refuseWith = {
      status: 402,
      code: 'INSUFFICIENT_CREDITS',
      detail: 'The job costs 10 credits; 0 are available.',
    };
    await apply('broke');
    const failed = await eventually(
      () => read('broke'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('InsufficientCredits');
    expect(failed.status?.message).toContain('0 are available');
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
