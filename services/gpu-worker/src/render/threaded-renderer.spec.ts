import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerMetrics } from '../metrics/worker-metrics.ts';
import { ThreadedRenderer } from './threaded-renderer.ts';
import { JobStopped, type RenderRequest } from './video-renderer.ts';

const buildModelCli = join(import.meta.dirname, '../../../../models/wan22/src/cli/build-model.ts');
const dir = mkdtempSync(join(tmpdir(), 'cw-threaded-renderer-'));
const modelDir = join(dir, 'model');
const request: RenderRequest = {
  prompt: 'a red fox in the snow',
  resolution: '352x640',
  frames: 1,
  fps: 8,
  seed: 11,
  steps: 3,
  guidanceScale: 5,
};

describe(ThreadedRenderer.name, () => {
  const metrics = new WorkerMetrics(1);
  let renderer: ThreadedRenderer;

  beforeAll(async () => {
    execFileSync(process.execPath, [buildModelCli, '--tiny', '--out', modelDir], { stdio: 'ignore' });
    renderer = await ThreadedRenderer.start(
      { modelDir, modelId: 'wan2.2-ti2v-tiny', device: 'cpu', cudaDeviceId: 0 },
      metrics,
    );
  }, 120_000);
  afterAll(async () => {
    await renderer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should render on its own thread while the main thread stays responsive', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const steps: number[] = [];
    const video = await renderer.render(request, {
      onStep: (step) => void steps.push(step),
      checkpoint: async () => undefined,
    });
    const frames: Uint8Array[] = [];
    for await (const frame of video.frames()) frames.push(frame);
    clearInterval(timer);

    expect(steps).toEqual([1, 2, 3]);
    expect(video).toMatchObject({ width: 352, height: 640, frameCount: 1 });
    expect(frames).toHaveLength(1);
    expect(frames[0]).toHaveLength(352 * 640 * 3);
    // The main thread kept ticking through sampling and decoding.
    expect(ticks).toBeGreaterThan(steps.length);
    const stages = await metrics.registry.getSingleMetricAsString('cineweave_worker_stage_seconds');
    expect(stages).toMatch(/cineweave_worker_stage_seconds_count\{stage="sample"\} 1/);
    expect(stages).toMatch(/cineweave_worker_stage_seconds_count\{stage="decode"\} 1/);
  }, 120_000);

  it('should give the same frames for the same seed', async () => {
    const render = async () => {
      const video = await renderer.render(request, {
        onStep: () => undefined,
        checkpoint: async () => undefined,
      });
      const frames: Uint8Array[] = [];
      for await (const frame of video.frames()) frames.push(frame);
      return frames[0];
    };
    expect(await render()).toEqual(await render());
  }, 120_000);

  it('should stop at the checkpoint after the step where the job was cancelled', async () => {
    const steps: number[] = [];
    await expect(
      renderer.render(
        { ...request, steps: 20 },
        {
          onStep: (step) => void steps.push(step),
          checkpoint: async () => {
            if (steps.length >= 2) throw new JobStopped('cancelled');
          },
        },
      ),
    ).rejects.toMatchObject({ name: 'Error', why: 'cancelled' });
    expect(steps).toEqual([1, 2]);
    // The thread takes the next job afterwards.
    const video = await renderer.render(request, {
      onStep: () => undefined,
      checkpoint: async () => undefined,
    });
    for await (const frame of video.frames()) expect(frame.length).toBe(352 * 640 * 3);
  }, 120_000);

  it('should refuse to start on a directory without a model, naming the file', async () => {
    await expect(
      ThreadedRenderer.start(
        { modelDir: join(dir, 'nothing'), modelId: 'x', device: 'cpu', cudaDeviceId: 0 },
        metrics,
      ),
    ).rejects.toThrow(/nothing\/model\.json does not exist/);
  });
});
