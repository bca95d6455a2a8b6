import type { JobProgress } from '@cineweave/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGpuWorker, type Harness, dev, eventually, startHarness } from './support/harness.ts';
import { openSse } from './support/sse.ts';

const DRAFT = { prompt: 'a glass of water on a windowsill', resolution: '640x352', durationSeconds: 1 };

describe('stage-aware progress', () => {
  let h: Harness;
  let worker: FakeGpuWorker;

  beforeAll(async () => {
    h = await startHarness('stage');
    worker = new FakeGpuWorker(h);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  const view = async (id: string) =>
    (await request(h.server).get(`/v1/jobs/${id}`).set('Authorization', dev('sid')).expect(200)).body as {
      status: string;
      progress: number;
      stage: string | null;
    };

  it('should relay each stage over SSE and show the last one on the job while it runs', async () => {
    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev('sid')).send(DRAFT).expect(202)
    ).body as { id: string; stage: string | null };
    expect(job.stage).toBeNull();
    const sse = openSse(`${h.baseUrl}/v1/jobs/${job.id}/events`, dev('sid'));
    await eventually(async () => sse.events.length > 0);
    const taken = await worker.take();

    const reports: JobProgress[] = [
      { stage: 'denoise', step: 1, totalSteps: 2, percent: 30, etaSeconds: 7 },
      { stage: 'denoise', step: 2, totalSteps: 2, percent: 60, etaSeconds: 4 },
      { stage: 'decode', step: 2, totalSteps: 2, percent: 70, etaSeconds: 3 },
      { stage: 'encode', step: 2, totalSteps: 2, percent: 80, etaSeconds: 2 },
      { stage: 'upload', step: 2, totalSteps: 2, percent: 90, etaSeconds: 1 },
    ];
    for (const report of reports) {
      await taken.updateProgress(report);
      // Each report before the next, as a worker sends them one at a time.
      await eventually(async () =>
        sse.events.some((e) => e.event === 'progress' && e.data['percent'] === report.percent),
      );
    }
    const progress = sse.events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.map((p) => [p['stage'], p['step'], p['percent'], p['etaSeconds']])).toEqual(
      reports.map((r) => [r.stage, r.step, r.percent, r.etaSeconds]),
    );
    // A late reader (the job page reloaded mid-upload) sees the stage too.
    await eventually(async () => (await view(job.id)).stage === 'upload');
    expect(await view(job.id)).toMatchObject({ status: 'running', progress: 90, stage: 'upload' });
    const late = openSse(`${h.baseUrl}/v1/jobs/${job.id}/events`, dev('sid'));
    await eventually(async () => late.events.some((e) => e.event === 'progress'));
    expect(late.events.find((e) => e.event === 'progress')?.data).toMatchObject({
      stage: 'upload',
      percent: 90,
    });

    await worker.succeed(taken);
    await sse.done;
    await late.done;
    expect(await view(job.id)).toMatchObject({ status: 'succeeded', progress: 100, stage: null });
  });

  it('should still relay progress without a stage from a worker older than stages', async () => {
    const job = (
      await request(h.server).post('/v1/jobs').set('Authorization', dev('sid')).send(DRAFT).expect(202)
    ).body as { id: string };
    const sse = openSse(`${h.baseUrl}/v1/jobs/${job.id}/events`, dev('sid'));
    await eventually(async () => sse.events.length > 0);
    const taken = await worker.take();
    await worker.progress(taken, 1, 2);
    await eventually(async () => sse.events.some((e) => e.event === 'progress'));
    const event = sse.events.find((e) => e.event === 'progress')?.data;
    expect(event).toMatchObject({ step: 1, totalSteps: 2, percent: 50 });
    expect(event).not.toHaveProperty('stage');
    await eventually(async () => (await view(job.id)).progress === 50);
    expect((await view(job.id)).stage).toBeNull();
    await worker.succeed(taken);
    await sse.done;
  });
});
