import { describe, expect, it } from 'vitest';
import { DistilledRenoiseScheduler } from '../scheduler/distilled-scheduler.ts';
import { FlowEulerScheduler } from '../scheduler/euler-scheduler.ts';
import { GaussianNoise } from './gaussian-noise.ts';
import {
  DenoiseCancelledError,
  DenoisingLoop,
  denoise,
  snapshotStep,
  type DenoiseStep,
} from './denoising-loop.ts';
import type { FlowModel, FlowModelInput, LatentDims } from './flow-model.ts';

const dims: LatentDims = [2, 2, 2, 2];
const size = 16;
const context = { data: new Float32Array(4), tokens: 1, dim: 4 };
const negativeContext = { data: new Float32Array(4).fill(1), tokens: 1, dim: 4 };

/** A model whose prediction is 1 for the prompt and 0 for the negative prompt; records its inputs. */
class RecordingModel implements FlowModel {
  readonly calls: FlowModelInput[] = [];

  async predict(input: FlowModelInput): Promise<Float32Array> {
    this.calls.push(input);
    return new Float32Array(size).fill(input.context === context ? 1 : 0);
  }
}

describe(DenoisingLoop.name, () => {
  it('should call the model twice per step and guide with uncond + scale * (cond - uncond) when guidance is 5', async () => {
    const model = new RecordingModel();
    const steps: DenoiseStep[] = [];
    await denoise(
      {
        model,
        scheduler: new FlowEulerScheduler({ steps: 3, shift: 5 }),
        noise: new Float32Array(size),
        latentDims: dims,
        context,
        negativeContext,
        guidanceScale: 5,
      },
      { onStep: (s) => void steps.push(snapshotStep(s)) },
    );
    expect(model.calls).toHaveLength(6);
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(Array.from(steps[0].noisePred)).toEqual(new Array(size).fill(5));
  });

  it('should skip the uncond pass when guidance is 1', async () => {
    const model = new RecordingModel();
    await denoise({
      model,
      scheduler: new FlowEulerScheduler({ steps: 2, shift: 5 }),
      noise: new Float32Array(size),
      latentDims: dims,
      context,
      guidanceScale: 1,
    });
    expect(model.calls).toHaveLength(2);
  });

  it('should pin latent frame 0 to the image and give its tokens timestep 0 when an image latent is given', async () => {
    const model = new RecordingModel();
    const image = new Float32Array([7, 7, 7, 7, 8, 8, 8, 8]);
    const scheduler = new FlowEulerScheduler({ steps: 2, shift: 5 });
    const loop = new DenoisingLoop({
      model,
      scheduler,
      noise: new Float32Array(size).fill(0.5),
      latentDims: dims,
      context,
      negativeContext,
      guidanceScale: 5,
      imageLatent: image,
    });
    const result = await loop.run();
    // channel-major [C=2, F=2, 2, 2]: frame 0 of channel c is values [c*8, c*8 + 4)
    expect(Array.from(result.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    expect(Array.from(result.subarray(8, 12))).toEqual([8, 8, 8, 8]);
    expect(Array.from(model.calls[0].latent.subarray(0, 4))).toEqual([7, 7, 7, 7]);
    // 2 frames of 1x1 tokens (2x2 latent, 2x2 patch): frame 0 gets 0, frame 1 the timestep.
    const first = model.calls[0];
    expect(Array.from(first.tokenTimesteps)).toEqual([0, scheduler.timesteps[0]]);
  });

  it('should stop between steps with DenoiseCancelledError when cancellation is requested', async () => {
    const model = new RecordingModel();
    let steps = 0;
    await expect(
      denoise(
        {
          model,
          scheduler: new FlowEulerScheduler({ steps: 5, shift: 5 }),
          noise: new Float32Array(size),
          latentDims: dims,
          context,
          negativeContext,
          guidanceScale: 5,
        },
        { onStep: () => void steps++, shouldCancel: () => steps === 2 },
      ),
    ).rejects.toBeInstanceOf(DenoiseCancelledError);
    expect(steps).toBe(2);
    expect(model.calls).toHaveLength(4);
  });

  it('should not start when the abort signal has already fired', async () => {
    const model = new RecordingModel();
    const controller = new AbortController();
    controller.abort();
    await expect(
      denoise(
        {
          model,
          scheduler: new FlowEulerScheduler({ steps: 5, shift: 5 }),
          noise: new Float32Array(size),
          latentDims: dims,
          context,
          guidanceScale: 1,
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow(/cancelled after 0 steps/);
    expect(model.calls).toHaveLength(0);
  });

  it('should run a distilled checkpoint in 4 single-pass steps with seeded re-noising', async () => {
    const run = async () => {
      const model = new RecordingModel();
      const noise = new GaussianNoise(11);
      const latent = await denoise({
        model,
        scheduler: new DistilledRenoiseScheduler({ steps: 4, shift: 5, noise: (n) => noise.sample(n) }),
        noise: new GaussianNoise(10).sample(size),
        latentDims: dims,
        context,
        guidanceScale: 1,
      });
      return { latent, calls: model.calls.length };
    };
    const first = await run();
    expect(first.calls).toBe(4);
    expect(Array.from((await run()).latent)).toEqual(Array.from(first.latent));
  });

  it('should refuse guidance without a negative context', () => {
    expect(
      () =>
        new DenoisingLoop({
          model: new RecordingModel(),
          scheduler: new FlowEulerScheduler({ steps: 2, shift: 5 }),
          noise: new Float32Array(size),
          latentDims: dims,
          context,
          guidanceScale: 5,
        }),
    ).toThrow(/negative-prompt context/);
  });
});
