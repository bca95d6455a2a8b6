import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VideosStandIn } from '../../../test/support/videos-stand-in.ts';
import {
  EngineFailure,
  InvalidJobInput,
  JobStopped,
  type RenderContext,
  type RenderRequest,
  type StageProgress,
} from '../../engine/engine.ts';
import { probeVideo } from '../../video/ffprobe.ts';
import { OpenAiVideosEngine, type OpenAiVideosOptions } from './openai-videos-engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'cw-openai-videos-'));
const request: RenderRequest = {
  prompt: 'a red fox in the snow',
  negativePrompt: 'blurry',
  resolution: '352x640',
  width: 352,
  height: 640,
  durationSeconds: 1,
  frames: 9,
  fps: 8,
  seed: 42,
  steps: 20,
  guidanceScale: 5,
};

let server: VideosStandIn;

function engine(options: Partial<OpenAiVideosOptions> = {}): OpenAiVideosEngine {
  return new OpenAiVideosEngine({
    baseUrl: server.url,
    healthPath: '/health',
    startTimeoutMs: 5000,
    renderTimeoutMs: 20_000,
    unresponsiveMs: 1500,
    pollMs: 50,
    requestTimeoutMs: 1000,
    ...options,
  });
}

function context(signal = new AbortController().signal): RenderContext & { progress: StageProgress[] } {
  const progress: StageProgress[] = [];
  return {
    signal,
    checkpoint: async () => undefined,
    onProgress: (update) => void progress.push(update),
    workDir: mkdtempSync(join(dir, 'job-')),
    progress,
  };
}

describe(OpenAiVideosEngine.name, () => {
  beforeAll(async () => {
    server = await VideosStandIn.start();
  });
  afterEach(async () => {
    await server.close();
    server = await VideosStandIn.start();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should wait for the engine to be healthy, then name the model it serves', async () => {
    server.healthy = false;
    setTimeout(() => (server.healthy = true), 300);
    const identity = await engine().load(new AbortController().signal);
    expect(identity).toEqual({
      modelHash: 'openai-videos:Wan-AI/Wan2.2-TI2V-5B-Diffusers',
      description: `Wan-AI/Wan2.2-TI2V-5B-Diffusers at ${server.url}`,
    });
    expect(server.requests.filter((line) => line === 'GET /health').length).toBeGreaterThan(1);
  });

  it('should give up loading with the last reason when the engine never becomes healthy', async () => {
    server.healthy = false;
    await expect(engine({ startTimeoutMs: 300 }).load(new AbortController().signal)).rejects.toThrow(
      /was not healthy within 0.3 s \(last: GET \/health answered 503\)/,
    );
  });

  it('should refuse to start when ENGINE_MODEL names a model the engine does not serve', async () => {
    await expect(
      engine({ model: 'Wan-AI/Wan2.2-T2V-A14B' }).load(new AbortController().signal),
    ).rejects.toThrow(
      /ENGINE_MODEL is Wan-AI\/Wan2.2-T2V-A14B but the engine .* serves Wan-AI\/Wan2.2-TI2V-5B-Diffusers/,
    );
  });

  it('should map the job to vLLM-Omni fields, relay progress and hand over the engine’s MP4', async () => {
    server.configure({ renderMs: 800 });
    const ctx = context();
    const video = await engine().render(request, ctx);

    expect(server.created).toHaveLength(1);
    expect(server.created[0].fields).toEqual({
      prompt: 'a red fox in the snow',
      negative_prompt: 'blurry',
      size: '352x640',
      seconds: '1',
      num_frames: '9',
      fps: '8',
      num_inference_steps: '20',
      guidance_scale: '5',
      seed: '42',
    });
    if (video.kind !== 'mp4') throw new Error('the openai-videos engine hands over an MP4');
    expect(await probeVideo(video.path)).toMatchObject({ codec: 'h264', width: 352, height: 640, frames: 9 });
    const generate = ctx.progress
      .filter((update) => update.stage === 'generate')
      .map((update) => update.done);
    expect(generate.length).toBeGreaterThan(3);
    expect(generate).toEqual([...generate].sort((a, b) => a - b));
    expect(generate.some((done) => done > 0 && done < 100)).toBe(true);
    expect(generate.at(-1)).toBe(100);
    expect(ctx.progress.at(-1)).toEqual({ stage: 'download', done: 1, total: 1 });
    // The server's copy is deleted once it is ours.
    expect(server.deleted).toEqual([server.created[0].id]);
  });

  it('should send the input image as a PNG input_reference for image-to-video', async () => {
    const rgb = new Uint8Array(40 * 30 * 3).fill(200);
    await engine().render({ ...request, image: { rgb, width: 40, height: 30 } }, context());
    const reference = server.created[0].reference;
    expect(reference).toMatchObject({ type: 'image/png', name: 'input.png' });
    expect(await sharp(reference?.bytes).metadata()).toMatchObject({ format: 'png', width: 40, height: 30 });
  });

  it('should send the configured model name with every job', async () => {
    await engine({ model: 'Wan-AI/Wan2.2-TI2V-5B-Diffusers' }).render(request, context());
    expect(server.created[0].fields['model']).toBe('Wan-AI/Wan2.2-TI2V-5B-Diffusers');
  });

  it('should stop the render on the engine within seconds of a cancel, asking again while it answers 409', async () => {
    server.configure({ renderMs: 30_000, cancelStallMs: 1200 });
    const controller = new AbortController();
    const ctx = context(controller.signal);
    const rendering = engine().render(request, ctx);
    await until(() => ctx.progress.some((update) => update.stage === 'generate' && update.done > 0));
    const cancelledAt = Date.now();
    controller.abort(new JobStopped('cancelled'));
    await expect(rendering).rejects.toMatchObject({ why: 'cancelled' });
    expect(Date.now() - cancelledAt).toBeLessThan(5000);
    const id = server.created[0].id;
    expect(server.status(id)).toBeUndefined();
    expect(server.requests.filter((line) => line === `DELETE /v1/videos/${id}`).length).toBeGreaterThan(1);
  });

  it('should fail the job with the engine’s reason when the engine fails it', async () => {
    server.configure({ outcome: 'fail' });
    const failing = engine().render(request, context());
    await expect(failing).rejects.toBeInstanceOf(EngineFailure);
    await expect(failing).rejects.toThrow('The engine failed the job: CUDA out of memory');
  });

  it('should fail the job as the job’s fault when the engine refuses its parameters', async () => {
    server.configure({ refuse: 'This diffusion model requires 121 frames; got 9.' });
    const refused = engine().render(request, context());
    await expect(refused).rejects.toBeInstanceOf(InvalidJobInput);
    await expect(refused).rejects.toThrow(
      'The engine refused the job: 400 This diffusion model requires 121 frames',
    );
  });

  it('should stop and fail a render that takes longer than the render timeout', async () => {
    server.configure({ outcome: 'hang', renderMs: 300 });
    const hung = engine({ renderTimeoutMs: 1500 }).render(request, context());
    await expect(hung).rejects.toThrow(/did not finish video video_gen_\w+ within 1.5 s; it was stopped/);
    expect(server.deleted).toEqual([server.created[0].id]);
  });

  it('should fail the job within the unresponsive limit when the engine crashes mid-render, and report it not ready', async () => {
    server.configure({ renderMs: 30_000 });
    const videos = engine();
    const ctx = context();
    const rendering = videos.render(request, ctx);
    await until(() => ctx.progress.length > 0);
    await server.crash();
    const crashedAt = Date.now();
    await expect(rendering).rejects.toThrow(
      /The engine has not answered for \d s \(.*ECONNREFUSED.*\); it crashed or hangs/,
    );
    expect(Date.now() - crashedAt).toBeLessThan(5000);
    expect(await videos.ready()).toMatchObject({
      ready: false,
      reason: expect.stringContaining('ECONNREFUSED'),
    });
    await server.restart();
    expect(await videos.ready()).toEqual({ ready: true });
  });

  it('should fail the job when the engine hangs without answering at all', async () => {
    server.configure({ renderMs: 30_000 });
    const videos = engine();
    const ctx = context();
    const rendering = videos.render(request, ctx);
    await until(() => ctx.progress.length > 0);
    server.freeze();
    await expect(rendering).rejects.toThrow(/The engine has not answered for \d s \(no answer in time\)/);
    expect(await videos.ready()).toMatchObject({
      ready: false,
      reason: expect.stringContaining('no answer in time'),
    });
  });

  it('should fail the job when the engine loses it (restarted)', async () => {
    server.configure({ renderMs: 30_000 });
    const ctx = context();
    const rendering = engine().render(request, ctx);
    await until(() => ctx.progress.length > 0);
    await server.crash();
    await server.restart();
    await expect(rendering).rejects.toThrow(
      /no longer knows video video_gen_\w+: it restarted and lost the job/,
    );
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('The condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
