import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JobStopped,
  type RenderContext,
  type RenderRequest,
  type StageProgress,
} from '../../engine/engine.ts';
import { WorkerMetrics } from '../../metrics/worker-metrics.ts';
import { OnnxEngine } from './onnx-engine.ts';

const buildModelCli = join(import.meta.dirname, '../../../../../models/wan22/src/cli/build-model.ts');
const dir = mkdtempSync(join(tmpdir(), 'cw-onnx-engine-'));
const modelDir = join(dir, 'model');
const request: RenderRequest = {
  prompt: 'a red fox in the snow',
  resolution: '352x640',
  width: 352,
  height: 640,
  durationSeconds: 1,
  frames: 1,
  fps: 8,
  seed: 11,
  steps: 3,
  guidanceScale: 5,
};

function context(overrides: Partial<RenderContext> = {}): RenderContext & { progress: StageProgress[] } {
  const progress: StageProgress[] = [];
  return {
    signal: new AbortController().signal,
    checkpoint: async () => undefined,
    onProgress: (update) => void progress.push(update),
    workDir: dir,
    progress,
    ...overrides,
  };
}

async function collect(frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array[]> {
  const all: Uint8Array[] = [];
  for await (const frame of frames) all.push(frame);
  return all;
}

describe(OnnxEngine.name, () => {
  const metrics = new WorkerMetrics(1);
  const fatal: Error[] = [];
  const engine = new OnnxEngine({
    modelDir,
    device: 'cpu',
    cudaDeviceId: 0,
    observeStage: (stage, seconds) => metrics.observeStage(stage, seconds),
    onFatal: (error) => void fatal.push(error),
  });

  beforeAll(async () => {
    execFileSync(process.execPath, [buildModelCli, '--tiny', '--out', modelDir], { stdio: 'ignore' });
    expect(await engine.ready()).toMatchObject({ ready: false });
    const identity = await engine.load();
    expect(identity.modelHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(identity.description).toContain('wan2.2-ti2v-tiny');
  }, 120_000);
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should render on its own thread, reporting steps then decoded frames, while the main thread stays responsive', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const ctx = context();
    const video = await engine.render(request, ctx);
    if (video.kind !== 'frames') throw new Error('the onnx engine hands over frames');
    const frames = await collect(video.frames());
    clearInterval(timer);

    expect(ctx.progress).toEqual([
      { stage: 'denoise', done: 1, total: 3 },
      { stage: 'denoise', done: 2, total: 3 },
      { stage: 'denoise', done: 3, total: 3 },
      { stage: 'decode', done: 1, total: 1 },
    ]);
    expect(video).toMatchObject({ width: 352, height: 640, frameCount: 1 });
    expect(frames).toHaveLength(1);
    expect(frames[0]).toHaveLength(352 * 640 * 3);
    // The main thread kept ticking through sampling and decoding.
    expect(ticks).toBeGreaterThan(3);
    const stages = await metrics.registry.getSingleMetricAsString('cineweave_worker_stage_seconds');
    expect(stages).toMatch(/cineweave_worker_stage_seconds_count\{stage="sample"\} 1/);
    expect(stages).toMatch(/cineweave_worker_stage_seconds_count\{stage="decode"\} 1/);
    expect(await engine.ready()).toEqual({ ready: true });
  }, 120_000);

  it('should give the same frames for the same seed', async () => {
    const render = async () => {
      const video = await engine.render(request, context());
      if (video.kind !== 'frames') throw new Error('the onnx engine hands over frames');
      return (await collect(video.frames()))[0];
    };
    expect(await render()).toEqual(await render());
  }, 120_000);

  it('should stop at the checkpoint after the step where the job was cancelled', async () => {
    const steps: number[] = [];
    await expect(
      engine.render(
        { ...request, steps: 20 },
        context({
          onProgress: ({ stage, done }) => void (stage === 'denoise' && steps.push(done)),
          checkpoint: async () => {
            if (steps.length >= 2) throw new JobStopped('cancelled');
          },
        }),
      ),
    ).rejects.toMatchObject({ why: 'cancelled' });
    expect(steps).toEqual([1, 2]);
    // The thread takes the next job afterwards.
    const video = await engine.render(request, context());
    if (video.kind !== 'frames') throw new Error('the onnx engine hands over frames');
    for (const frame of await collect(video.frames())) expect(frame.length).toBe(352 * 640 * 3);
  }, 120_000);

  it('should cache steps for the balanced preset and count every DiT call it made', async () => {
    const sampling = async (preset: RenderRequest['preset']) => {
      const video = await engine.render({ ...request, steps: 20, preset }, context());
      if (video.kind !== 'frames') throw new Error('the onnx engine hands over frames');
      await collect(video.frames());
      return video.sampling;
    };
    expect(await sampling('quality')).toEqual({ steps: 20, ditCalls: 40, cachedSteps: 0 });
    const balanced = await sampling('balanced');
    // Two DiT calls (CFG) per computed step; the cache stands in for both at a cached step.
    expect(balanced && balanced.ditCalls + 2 * balanced.cachedSteps).toBe(40);
  }, 120_000);

  it('should refuse the fast preset as the job’s fault when its model is not a distilled one', async () => {
    await expect(engine.render({ ...request, preset: 'fast' }, context())).rejects.toThrow(
      /fast preset runs a few-step distilled model \(such as fastwan2\.2-ti2v-5b\); this worker serves wan2\.2-ti2v-tiny/,
    );
    expect(fatal).toEqual([]);
  }, 60_000);

  it('should refuse a frame count the model cannot render as the job’s fault', async () => {
    await expect(engine.render({ ...request, frames: 6 }, context())).rejects.toThrow(
      /renders 4k \+ 1 frames; 6 frames is not possible/,
    );
    expect(fatal).toEqual([]);
  }, 60_000);

  it('should refuse to start on a directory without a model, naming the file', async () => {
    const missing = new OnnxEngine({
      modelDir: join(dir, 'nothing'),
      device: 'cpu',
      cudaDeviceId: 0,
      observeStage: () => undefined,
      onFatal: () => undefined,
    });
    await expect(missing.load()).rejects.toThrow(/nothing\/model\.json does not exist/);
  });
});
