import { describe, expect, it } from 'vitest';
import type { InternalJobView } from '@cineweave/contracts';
import { failedStatus, heldStatus, pendingStatus, statusFromJob } from './videojob-status.ts';

const job: InternalJobView = {
  id: '0b6e3d4e-8a4f-4d36-9a43-4f1f2c3b7a10',
  status: 'queued',
  prompt: 'a fox',
  negativePrompt: null,
  imageUploadId: null,
  imageSha256: null,
  resolution: '1280x704',
  durationSeconds: 5,
  fps: 24,
  seed: 1,
  steps: 50,
  guidanceScale: 5,
  model: 'wan2.2-ti2v-5b',
  preset: 'quality',
  priority: 50,
  creditsReserved: 120,
  creditsCharged: null,
  progress: 0,
  stage: null,
  failureReason: null,
  gpuSeconds: null,
  videoUrl: null,
  thumbnailUrl: null,
  videoKey: null,
  thumbnailKey: null,
  outputExpiresAt: null,
  contentCredentials: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  queuePosition: 3,
};
const context = { generation: 1, now: new Date('2026-01-01T00:00:05Z'), apiUrl: 'http://api:3000' };

describe(statusFromJob.name, () => {
  it('should be Queued and Accepted with the queue position when the job waits', () => {
    const status = statusFromJob(undefined, job, context);
    expect(status).toMatchObject({
      phase: 'Queued',
      queuePosition: 3,
      jobId: job.id,
      creditsReserved: 120,
      observedGeneration: 1,
    });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'True', 'Submitted'],
      ['Queued', 'True', 'Admitted'],
      ['Complete', 'False', 'Queued'],
    ]);
  });

  it('should give the Queued condition the reason the job waits for, keep Complete=False Queued, and say it in the message', () => {
    const message = '3 jobs are ahead of it; no worker of wan2.2-ti2v-5b is running.';
    const status = statusFromJob(
      undefined,
      { ...job, queue: { position: 3, reason: 'ModelUnavailable', message, etaSeconds: null } },
      context,
    );
    expect(status.message).toBe(`Queued: ${message}`);
    expect(status.queueEtaSeconds).toBeUndefined();
    const waiting = statusFromJob(
      undefined,
      { ...job, queue: { position: 3, reason: 'WaitingForWorker', message, etaSeconds: 960 } },
      context,
    );
    expect(waiting).toMatchObject({ queuePosition: 3, queueEtaSeconds: 960 });
    expect(status.conditions?.find((c) => c.type === 'Queued')).toMatchObject({
      status: 'True',
      reason: 'ModelUnavailable',
      message: `Queued: ${message}`,
    });
    expect(status.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      status: 'False',
      reason: 'Queued',
    });
  });

  it('should keep Queued True from the hold through admission, and turn it False when rendering starts', () => {
    const heldAt = new Date('2026-01-01T00:00:00Z');
    const held = heldStatus(undefined, 'QuotaExhausted', 'Held: quota.', { generation: 1, now: heldAt });
    expect(held.phase).toBe('Pending');
    expect(held.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'False', 'QuotaExhausted'],
      ['Queued', 'True', 'QuotaExhausted'],
    ]);
    const admitted = statusFromJob(
      held,
      { ...job, queue: { position: 0, reason: 'WaitingForWorker', message: 'next', etaSeconds: 30 } },
      context,
    );
    const queued = admitted.conditions?.find((c) => c.type === 'Queued');
    expect(queued).toMatchObject({ status: 'True', reason: 'WaitingForWorker' });
    // Queued since the hold began: the condition did not flip, so its transition time stays.
    expect(queued?.lastTransitionTime).toBe(heldAt.toISOString());
    const running = statusFromJob(admitted, { ...job, status: 'running', progress: 10 }, context);
    expect(running.conditions?.find((c) => c.type === 'Queued')).toMatchObject({
      status: 'False',
      reason: 'Running',
    });
  });

  it('should turn a held Queued condition False when the job is refused for good', () => {
    const held = heldStatus(undefined, 'TeamLimit', 'Held.', { generation: 1, now: new Date() });
    const waiting = pendingStatus(held, 'UnknownTeam', 'no such team', {
      generation: 1,
      now: new Date(),
      leavesQueue: true,
    });
    expect(waiting.conditions?.find((c) => c.type === 'Queued')).toMatchObject({
      status: 'False',
      reason: 'UnknownTeam',
    });
    const outage = pendingStatus(held, 'ApiUnavailable', 'down', { generation: 1, now: new Date() });
    expect(outage.conditions?.find((c) => c.type === 'Queued')?.status).toBe('True');
    expect(
      pendingStatus(undefined, 'NamespaceHasNoTeam', 'x', {
        generation: 1,
        now: new Date(),
        leavesQueue: true,
      }).conditions?.map((c) => c.type),
    ).toEqual(['Accepted']);
  });

  it('should carry output, credits and Complete=True when the job succeeded', () => {
    const done = {
      ...job,
      status: 'succeeded' as const,
      progress: 100,
      creditsCharged: 120,
      gpuSeconds: 42.5,
      videoKey: `outputs/a/${job.id}/video.mp4`,
      thumbnailKey: `outputs/a/${job.id}/thumb.jpg`,
      videoUrl: `/v1/jobs/${job.id}/video`,
      outputExpiresAt: '2026-01-02T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: '2026-01-01T00:00:04.000Z',
    };
    const status = statusFromJob(statusFromJob(undefined, job, context), done, context);
    expect(status).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      creditsCharged: 120,
      gpuSeconds: 42.5,
      startTime: done.startedAt,
      completionTime: done.finishedAt,
      output: {
        objectKey: done.videoKey,
        thumbnailKey: done.thumbnailKey,
        url: `http://api:3000/v1/jobs/${job.id}/video`,
      },
    });
    // The API's route needs a token and does not expire: no expiresAt without presigned links.
    expect(status.output?.expiresAt).toBeUndefined();
    expect(status.queuePosition).toBeUndefined();
    expect(status.conditions?.find((c) => c.type === 'Complete')).toMatchObject({
      status: 'True',
      reason: 'Succeeded',
    });
  });

  it('should keep presigned links until the margin before their expiry, then take the fresh ones', () => {
    const done = {
      ...job,
      status: 'succeeded' as const,
      videoKey: `outputs/a/${job.id}/video.mp4`,
      thumbnailKey: `outputs/a/${job.id}/thumb.jpg`,
      finishedAt: '2026-01-01T00:00:04.000Z',
    };
    const signed = (signature: string, expiresAt: string) => ({
      ...done,
      downloads: {
        video: `http://s3:9000/cw/${done.videoKey}?X-Amz-Signature=${signature}`,
        thumbnail: `http://s3:9000/cw/${done.thumbnailKey}?X-Amz-Signature=${signature}`,
        expiresAt,
      },
    });
    const first = statusFromJob(undefined, signed('a', '2026-01-01T00:15:05.000Z'), context);
    expect(first.output).toEqual({
      objectKey: done.videoKey,
      thumbnailKey: done.thumbnailKey,
      url: `http://s3:9000/cw/${done.videoKey}?X-Amz-Signature=a`,
      thumbnailUrl: `http://s3:9000/cw/${done.thumbnailKey}?X-Amz-Signature=a`,
      expiresAt: '2026-01-01T00:15:05.000Z',
    });
    // Ten minutes on, a read signs new links; five minutes are left of the old ones: they stay.
    const later = { ...context, now: new Date('2026-01-01T00:10:05Z') };
    expect(statusFromJob(first, signed('b', '2026-01-01T00:25:05.000Z'), later).output).toEqual(first.output);
    // Within the two-minute margin, the fresh links replace them.
    const close = { ...context, now: new Date('2026-01-01T00:13:30Z') };
    expect(statusFromJob(first, signed('c', '2026-01-01T00:28:30.000Z'), close).output).toMatchObject({
      url: `http://s3:9000/cw/${done.videoKey}?X-Amz-Signature=c`,
      expiresAt: '2026-01-01T00:28:30.000Z',
    });
  });

  it('should set Failed=True with the reason when the render failed', () => {
    const status = statusFromJob(
      undefined,
      { ...job, status: 'failed', failureReason: 'out of memory' },
      context,
    );
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
      status: 'True',
      reason: 'RenderFailed',
    });
  });
});

describe(failedStatus.name, () => {
  it('should set Accepted=False and Failed=True with the same reason when a job is refused', () => {
    const status = failedStatus(undefined, 'NoAccount', 'no account', { generation: 2, now: context.now });
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Accepted', 'False', 'NoAccount'],
      ['Failed', 'True', 'NoAccount'],
    ]);
  });
});
