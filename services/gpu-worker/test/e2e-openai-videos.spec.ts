// Engine openai-videos end to end: the built API and worker as real processes, the worker driving
// a stand-in of vLLM-Omni's /v1/videos server (test/support/videos-stand-in.ts) that makes real
// MP4s with ffmpeg. A job goes in through the public API and its MP4 lands in the bucket; a cancel
// stops the render on the engine; an engine that crashes fails the job and its credits come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeVideo } from '../src/video/ffprobe.ts';
import { buildServices, startStack, USER, type Stack, type WorkerProcess } from './support/e2e-stack.ts';
import { collectEvents, type SseEvent } from './support/sse.ts';
import { VideosStandIn } from './support/videos-stand-in.ts';

let stack: Stack;
let engine: VideosStandIn;
let worker: WorkerProcess;

const job = {
  prompt: 'a lighthouse at dusk, slow pan',
  resolution: '352x640',
  durationSeconds: 1,
  fps: 8,
  steps: 12,
} as const;

function untilFinished(event: SseEvent): boolean {
  return event.event === 'completed' || event.event === 'failed';
}

async function events(
  jobId: string,
  onEvent: (event: SseEvent) => void = () => undefined,
): Promise<SseEvent[]> {
  return collectEvents(
    `${stack.baseUrl}/v1/jobs/${jobId}/events`,
    USER,
    (event) => {
      onEvent(event);
      return untilFinished(event);
    },
    120_000,
  );
}

async function readiness(): Promise<{ status: number; text: string }> {
  const response = await fetch(worker.readyUrl);
  return { status: response.status, text: await response.text() };
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`The condition did not come true within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  buildServices();
  stack = await startStack('openai-videos-e2e');
  engine = await VideosStandIn.start();
  worker = await stack.startReadyWorker({
    ENGINE_KIND: 'openai-videos',
    ENGINE_URL: engine.url,
    ENGINE_POLL_MS: '200',
    ENGINE_UNRESPONSIVE_SECONDS: '2',
    ENGINE_HEALTH_INTERVAL_SECONDS: '0.5',
    CANCEL_POLL_MS: '200',
  });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await engine?.close();
}, 60_000);

describe('GPU worker end to end with engine openai-videos (vLLM-Omni stand-in)', () => {
  it('should deliver the engine’s video to the bucket as a contract MP4, with progress and credits captured', async () => {
    // The engine leaves the moov atom at the end: the worker moves it to the front.
    engine.configure({ output: 'tail-moov', renderMs: 2000 });
    const before = await stack.credits();
    const jobId = await stack.createJob(job);
    const seen = await events(jobId);

    expect(seen.at(-1)?.event).toBe('completed');
    const progress = seen.filter((event) => event.event === 'progress').map((event) => event.data);
    expect(progress.some((update) => Number(update.step) > 0 && Number(update.step) < 12)).toBe(true);
    expect(engine.created.at(-1)?.fields).toMatchObject({
      prompt: job.prompt,
      size: '352x640',
      seconds: '1',
      num_frames: '9',
      fps: '8',
      num_inference_steps: '12',
    });

    const probe = await probeVideo(await stack.downloadVideo(jobId));
    expect(probe).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      fastStart: true,
      width: 352,
      height: 640,
      frames: 9,
    });
    const thumbnail = await fetch(`${stack.baseUrl}/v1/jobs/${jobId}/thumbnail`, {
      headers: { Authorization: USER },
    });
    expect(thumbnail.status).toBe(200);
    expect(await stack.ledgerKindsFor(jobId)).toEqual(['capture', 'reserve']);
    const after = await stack.credits();
    expect(after.balance).toBeLessThan(before.balance);
    expect(after.reserved).toBe(before.reserved);
    expect(worker.output()).toContain('"modelHash":"openai-videos:Wan-AI/Wan2.2-TI2V-5B-Diffusers"');
  }, 180_000);

  it('should stop the render on the engine when the job is cancelled mid-render, and release its credits', async () => {
    engine.configure({ output: 'contract', renderMs: 60_000 });
    const before = await stack.credits();
    const jobId = await stack.createJob(job);
    let cancelledAt = 0;
    const seen = await events(jobId, (event) => {
      if (event.event === 'progress' && Number(event.data.step) >= 1 && !cancelledAt) {
        cancelledAt = Date.now();
        void stack.call('POST', `/v1/jobs/${jobId}/cancel`);
      }
    });

    expect(seen.at(-1)).toMatchObject({ event: 'failed', data: { status: 'cancelled' } });
    expect(Date.now() - cancelledAt).toBeLessThan(15_000);
    const id = engine.created.at(-1)?.id ?? '';
    expect(engine.requests).toContain(`DELETE /v1/videos/${id}`);
    expect(engine.status(id)).toBeUndefined();
    expect(await stack.ledgerKindsFor(jobId)).toEqual(['release', 'reserve']);
    expect(await stack.credits()).toEqual(
      expect.objectContaining({ balance: before.balance, reserved: before.reserved }),
    );
  }, 180_000);

  it('should fail the job and release its credits when the engine crashes mid-render, and be ready again once it is back', async () => {
    engine.configure({ output: 'contract', renderMs: 60_000 });
    const before = await stack.credits();
    const jobId = await stack.createJob(job);
    let crashed = false;
    const seen = await events(jobId, (event) => {
      if (event.event === 'progress' && Number(event.data.step) >= 1 && !crashed) {
        crashed = true;
        void engine.crash();
      }
    });

    expect(seen.at(-1)).toMatchObject({ event: 'failed', data: { status: 'failed' } });
    expect(String(seen.at(-1)?.data.reason)).toMatch(/engine has not answered/);
    expect(await stack.ledgerKindsFor(jobId)).toEqual(['release', 'reserve']);
    expect(await stack.credits()).toEqual(
      expect.objectContaining({ balance: before.balance, reserved: before.reserved }),
    );
    await until(async () => (await readiness()).status === 503, 10_000);
    expect((await readiness()).text).toMatch(/the engine is not ready: .*ECONNREFUSED/);

    await engine.restart();
    await until(async () => (await readiness()).status === 200, 10_000);
    engine.configure({ renderMs: 500 });
    const next = await stack.createJob(job);
    expect((await events(next)).at(-1)?.event).toBe('completed');
  }, 180_000);
});
