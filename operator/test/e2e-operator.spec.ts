import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoJobStatus, WorkerPoolStatus } from '@cineweave/contracts';
import { VIDEOJOB_RESOURCE } from '../src/controllers/videojob/videojob-controller.ts';
import { WORKERPOOL_RESOURCE } from '../src/controllers/workerpool/workerpool-controller.ts';
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
import { buildApi, FAKE_MP4, FAKE_WEBP, INTERNAL_TOKEN, QueueWorker, RealApi } from './e2e-support.ts';

type VJ = KubeObject & { status?: VideoJobStatus };
const NS = 'studio';
const USER = 'e2e-owner';
const SPEC = { resolution: '640x352', durationSeconds: 1, steps: 4 };

describe('Operator end to end with the real API, Postgres, Redis and s3rver', () => {
  let server: KubeApiServer;
  let client: KubeClient;
  let api: RealApi;
  let worker: QueueWorker;
  let operator: Operator;
  const busyPods = new Set<string>();

  beforeAll(async () => {
    await buildApi();
    api = await RealApi.start('operator');
    await api.initUser(USER);
    worker = new QueueWorker(api);
    // The stand-in Deployment controller keeps pods per replica and removes the cheapest to delete first.
    server = await KubeApiServer.start({ deployments: { podReadiness: 'immediate' } });
    client = clientFor(server);
    await createNamespace(client, NS, USER);
    await createNamespace(client, 'strangers', 'nobody-signed-up');
    ({ operator } = startOperator({
      client,
      apiUrl: api.url,
      token: INTERNAL_TOKEN,
      poolPollMs: 300,
      // Pods of the stand-in controller have no reachable /metrics: the test says which one renders.
      probe: async (pod) => busyPods.has(pod.metadata.name),
    }));
  }, 300_000);

  afterAll(async () => {
    await operator?.stop();
    await worker?.close();
    await api?.close();
    await server?.close();
  });

  const path = (name: string, namespace = NS) => resourcePath(VIDEOJOB_RESOURCE, namespace, name);
  const read = (name: string, namespace = NS) => client.get<VJ>(path(name, namespace));
  const apply = (name: string, spec: Record<string, unknown> = SPEC, namespace = NS) =>
    client.create<VJ>(resourcePath(VIDEOJOB_RESOURCE, namespace), videoJob(name, namespace, spec));
  const condition = (vj: VJ, type: string) => vj.status?.conditions?.find((c) => c.type === type);

  it('should take a VideoJob from apply through Accepted and Running with progress to Complete, across a watch expiry', async () => {
    await apply('sunrise');
    const accepted = await eventually(
      () => read('sunrise'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
    );
    expect(accepted.status).toMatchObject({ phase: 'Queued', creditsReserved: 3 });
    const job = await worker.take();
    expect(job.data.jobId).toBe(accepted.status?.jobId);
    await worker.progress(job, 2, 4);
    const running = await eventually(
      () => read('sunrise'),
      (vj) => vj.status?.phase === 'Running' && vj.status.progress === 50,
      'Running at 50%',
    );
    expect(running.status?.startTime).toBeDefined();
    // Etcd compacted mid-run: the operator's watches get 410 Gone and must relist.
    server.compactHistory();
    await worker.finish(job, 'succeeded');
    const done = await eventually(
      () => read('sunrise'),
      (vj) => condition(vj, 'Complete')?.status === 'True',
      'Complete',
    );
    expect(done.status).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      creditsCharged: 3,
      gpuSeconds: 7,
      output: { objectKey: `outputs/${job.data.accountId}/${job.data.jobId}/video.mp4` },
    });
    // A presigned link straight to the object store, good for the API's 15 minutes.
    const output = done.status?.output;
    expect(output?.url?.startsWith(`${api.s3Url}/cineweave/${output.objectKey}?`)).toBe(true);
    expect(output?.url).toContain('X-Amz-Signature=');
    const left = Date.parse(output?.expiresAt ?? '') - Date.now();
    expect(left).toBeGreaterThan(10 * 60_000);
    expect(left).toBeLessThanOrEqual(15 * 60_000);
    const video = await fetch(output?.url ?? '');
    expect(video.status).toBe(200);
    expect(Buffer.from(await video.arrayBuffer())).toEqual(FAKE_MP4);
    const thumbnail = await fetch(output?.thumbnailUrl ?? '');
    expect(Buffer.from(await thumbnail.arrayBuffer())).toEqual(FAKE_WEBP);
    expect(await api.ledgerKinds(job.data.jobId)).toEqual(['reserve', 'capture']);
  });

  it('should fail a bad spec with InvalidSpec and touch no credits', async () => {
    const before = await api.credits(USER);
    await apply('blank', { ...SPEC, prompt: '  ' });
    const failed = await eventually(
      () => read('blank'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('InvalidSpec');
    expect(await api.credits(USER)).toEqual(before);
    const { rows } = await api.db.query(`SELECT count(*)::int AS n FROM jobs WHERE external_ref = $1`, [
      failed.metadata.uid,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('should fail with NoAccount when the annotated user has no account', async () => {
    await apply('nobody', SPEC, 'strangers');
    const failed = await eventually(
      () => read('nobody', 'strangers'),
      (vj) => vj.status?.phase === 'Failed',
      'Failed',
    );
    expect(condition(failed, 'Failed')?.reason).toBe('NoAccount');
  });

  it('should cancel a running job when its VideoJob is deleted and release the credits once', async () => {
    await apply('abandon');
    const accepted = await eventually(
      () => read('abandon'),
      (vj) => !!vj.status?.jobId,
      'jobId',
    );
    const jobId = accepted.status?.jobId ?? '';
    const job = await worker.take();
    expect(job.data.jobId).toBe(jobId);
    await worker.progress(job, 1, 4);
    await eventually(
      () => read('abandon'),
      (vj) => vj.status?.phase === 'Running',
      'Running',
    );
    await client.request({ method: 'DELETE', path: path('abandon') });
    // The finalizer holds the VideoJob while the worker is told to stop.
    await eventually(
      () => worker.cancelRequested(jobId),
      (asked) => asked,
      'cancel signal',
    );
    expect((await read('abandon')).metadata.deletionTimestamp).toBeDefined();
    await worker.finish(job, 'cancelled');
    await eventually(
      () =>
        read('abandon').then(
          () => false,
          (error: unknown) => isKubeStatus(error, 404),
        ),
      (gone) => gone,
      'VideoJob gone',
    );
    expect(await api.ledgerKinds(jobId)).toEqual(['reserve', 'release']);
    expect((await api.credits(USER)).reserved).toBe(0);
  });

  it('should wait out an API outage as Pending and submit once when it is back', async () => {
    await api.down();
    await apply('outage');
    const pending = await eventually(
      () => read('outage'),
      (vj) => condition(vj, 'Accepted')?.reason === 'ApiUnavailable',
      'ApiUnavailable',
    );
    expect(pending.status?.phase).toBe('Pending');
    await api.up();
    const accepted = await eventually(
      () => read('outage'),
      (vj) => condition(vj, 'Accepted')?.status === 'True',
      'Accepted',
      30_000,
    );
    const { rows } = await api.db.query(`SELECT count(*)::int AS n FROM jobs WHERE external_ref = $1`, [
      accepted.metadata.uid,
    ]);
    expect(rows[0].n).toBe(1);
    const job = await worker.take();
    await worker.finish(job, 'succeeded');
    await eventually(
      () => read('outage'),
      (vj) => vj.status?.phase === 'Succeeded',
      'Succeeded',
    );
  }, 90_000);

  it('should scale a WorkerPool 0 → N → 0 as the backlog rises and falls without removing the busy worker', async () => {
    await client.create(resourcePath(WORKERPOOL_RESOURCE, NS), {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'wan', namespace: NS },
      spec: {
        model: 'wan2.2-ti2v-5b',
        minReplicas: 0,
        maxReplicas: 3,
        jobsPerReplica: 1,
        scaleDownDelaySeconds: 1,
      },
    });
    const deploymentPath = resourcePath(RESOURCES.deployments, NS, 'wan-workers');
    const replicas = async () => ((await client.get(deploymentPath)).spec as { replicas: number }).replicas;
    const pods = async () =>
      (
        await client.list(resourcePath(RESOURCES.pods, NS), { labelSelector: 'cineweave.io/workerpool=wan' })
      ).items.filter((pod) => !pod.metadata.deletionTimestamp);
    const readPool = () =>
      client.get<KubeObject & { status?: WorkerPoolStatus }>(resourcePath(WORKERPOOL_RESOURCE, NS, 'wan'));
    await eventually(replicas, (n) => n === 0, 'Deployment at 0');

    await apply('pool-a');
    await apply('pool-b');
    await eventually(replicas, (n) => n === 2, 'Deployment at 2');
    const [first] = await eventually(pods, (list) => list.length === 2, 'two worker pods');
    const ready = await eventually(readPool, (pool) => pool.status?.readyReplicas === 2, 'two ready workers');
    expect(ready.status).toMatchObject({ backlog: 2, desiredReplicas: 2 });
    expect(ready.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');

    // One worker pod renders its job for a while; the other finishes at once.
    busyPods.add(first.metadata.name);
    const long = await worker.take();
    await worker.finish(await worker.take(), 'succeeded');
    await eventually(replicas, (n) => n === 1, 'scale-down to the busy worker', 20_000);
    const [survivor] = await eventually(pods, (list) => list.length === 1, 'the idle pod removed', 20_000);
    expect(survivor.metadata.name).toBe(first.metadata.name);
    expect(survivor.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']).toBe('1000');

    await worker.finish(long, 'succeeded');
    busyPods.delete(first.metadata.name);
    await eventually(replicas, (n) => n === 0, 'Deployment back at 0', 20_000);
    await eventually(pods, (list) => list.length === 0, 'no worker pods', 20_000);
  }, 90_000);
});
