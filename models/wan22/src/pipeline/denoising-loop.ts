import type { DenoisingScheduler } from '../scheduler/denoising-scheduler.ts';
import { pinFirstFrame, replaceFirstFrame } from './first-frame.ts';
import { latentSize, type FlowModel, type LatentDims, type TextContext } from './flow-model.ts';
import { applyGuidance } from './guidance.ts';
import { StepCache, type StepCacheOptions } from './step-cache.ts';
import { tokenTimesteps } from './token-timesteps.ts';

export interface DenoiseRequest {
  readonly model: FlowModel;
  readonly scheduler: DenoisingScheduler;
  /** Initial Gaussian noise [C, F, h, w] (the caller seeds it). */
  readonly noise: Float32Array;
  readonly latentDims: LatentDims;
  /** Prompt context (cond branch). */
  readonly context: TextContext;
  /** Negative-prompt context (uncond branch); required when guidanceScale is not 1. */
  readonly negativeContext?: TextContext;
  readonly guidanceScale: number;
  /** Image-to-video: the encoded conditioning image [C, 1, h, w] that pins latent frame 0. */
  readonly imageLatent?: Float32Array;
  /** DiT patch size (TI2V: [1, 2, 2]). */
  readonly patchSize?: readonly [number, number, number];
  /** Step caching (off when absent): some steps reuse the last DiT residual (see step-cache.ts). */
  readonly stepCache?: StepCacheOptions;
}

/**
 * What one finished step reports. Arrays are the loop's own and are overwritten by later steps (it
 * reuses its latent and guidance buffers): copy them to keep them.
 */
export interface DenoiseStep {
  /** 0-based index of the step just finished. */
  readonly step: number;
  readonly totalSteps: number;
  readonly timestep: number;
  /** The DiT input of this step and the per-token timesteps it got. */
  readonly modelInput: Float32Array;
  readonly tokenTimesteps: Float32Array;
  readonly predCond: Float32Array;
  /** True when the step cache stood in for the DiT (both branches) at this step. */
  readonly cached: boolean;
  /** Absent when guidance is 1 (the uncond pass is skipped). */
  readonly predUncond?: Float32Array;
  /** The guided prediction given to the scheduler. */
  readonly noisePred: Float32Array;
  /** The latent after the step (after the first-frame replacement for image-to-video). */
  readonly latent: Float32Array;
  readonly elapsedMs: number;
}

/** A copy of a step's report whose arrays later steps cannot overwrite. */
export function snapshotStep(step: DenoiseStep): DenoiseStep {
  return {
    ...step,
    modelInput: step.modelInput.slice(),
    tokenTimesteps: step.tokenTimesteps.slice(),
    predCond: step.predCond.slice(),
    predUncond: step.predUncond?.slice(),
    noisePred: step.noisePred.slice(),
    latent: step.latent.slice(),
  };
}

export interface DenoiseHooks {
  /** Called after every step (progress reporting); awaited before the next step starts. */
  onStep?(step: DenoiseStep): void | Promise<void>;
  /** Checked before every step; true stops the loop with a DenoiseCancelledError. */
  shouldCancel?(): boolean | Promise<boolean>;
  readonly signal?: AbortSignal;
}

export class DenoiseCancelledError extends Error {
  readonly completedSteps: number;

  constructor(completedSteps: number) {
    super(`denoising was cancelled after ${completedSteps} steps`);
    this.name = 'DenoiseCancelledError';
    this.completedSteps = completedSteps;
  }
}

/**
 * The TI2V sampling loop (WanTI2V.t2v / .i2v): per step, per-token timesteps, the cond and uncond
 * DiT passes, classifier-free guidance, the scheduler step and, for image-to-video, latent frame 0
 * pinned to the image latent again (the scheduler keeps the pinned latents in its history).
 *
 * `steps()` is an async generator so that a caller can report progress and stop between steps;
 * `run()` drives it with hooks and returns the final latent.
 */
export class DenoisingLoop {
  private readonly request: DenoiseRequest;
  private readonly patch: readonly [number, number, number];
  private readonly cache: StepCache | null;

  constructor(request: DenoiseRequest) {
    const { noise, latentDims, guidanceScale, negativeContext, imageLatent } = request;
    if (noise.length !== latentSize(latentDims)) {
      throw new Error(
        `noise has ${noise.length} values, the latent [${latentDims.join(', ')}] needs ${latentSize(latentDims)}`,
      );
    }
    if (guidanceScale !== 1 && !negativeContext) {
      throw new Error(`guidance ${guidanceScale} needs a negative-prompt context (or use guidance 1)`);
    }
    if (imageLatent && imageLatent.length !== latentDims[0] * latentDims[2] * latentDims[3]) {
      throw new Error(`the image latent must be [${latentDims[0]}, 1, ${latentDims[2]}, ${latentDims[3]}]`);
    }
    this.request = request;
    this.patch = request.patchSize ?? [1, 2, 2];
    this.cache = request.stepCache
      ? new StepCache(request.stepCache, request.scheduler.timesteps.length)
      : null;
  }

  /** DiT calls made so far (one per branch per computed step) and steps the cache stood in for. */
  get ditCalls(): { calls: number; cachedSteps: number } {
    return this.calls;
  }

  private readonly calls = { calls: 0, cachedSteps: 0 };

  /** The latent the first step starts from: the noise, with frame 0 = image latent for i2v. */
  initialLatent(): Float32Array {
    const { noise, latentDims, imageLatent } = this.request;
    return imageLatent ? replaceFirstFrame(noise, latentDims, imageLatent) : noise.slice();
  }

  async *steps(): AsyncGenerator<DenoiseStep, Float32Array> {
    const { model, scheduler, latentDims, context, negativeContext, guidanceScale, imageLatent } =
      this.request;
    const total = scheduler.timesteps.length;
    // Two latent buffers, used in turn (the step's input and output), and one for the guided
    // prediction: the host side of a step allocates nothing at 720p.
    let latent: Float32Array = this.initialLatent();
    let spare: Float32Array = new Float32Array(latent.length);
    const guided = guidanceScale !== 1 ? new Float32Array(latent.length) : null;
    // Predictions of cached steps (the cache copies its kept predictions into them).
    const reused: { cond?: Float32Array; uncond?: Float32Array } = {};
    for (let step = scheduler.stepIndex; step < total; step++) {
      const started = performance.now();
      const timestep = scheduler.timesteps[step];
      const tokens = tokenTimesteps(latentDims, this.patch, timestep, imageLatent !== undefined);
      const input = { latent, latentDims, tokenTimesteps: tokens };
      const cached = this.cache?.shouldSkip(step) ?? false;
      const withUncond = guided !== null && negativeContext !== undefined;
      let predCond: Float32Array;
      let predUncond: Float32Array | undefined;
      if (cached && this.cache) {
        reused.cond ??= new Float32Array(latent.length);
        predCond = this.cache.reuse('cond', reused.cond);
        if (withUncond)
          predUncond = this.cache.reuse('uncond', (reused.uncond ??= new Float32Array(latent.length)));
        this.calls.cachedSteps++;
      } else {
        predCond = await model.predict({ ...input, context });
        if (withUncond) predUncond = await model.predict({ ...input, context: negativeContext });
        this.calls.calls += withUncond ? 2 : 1;
        if (predUncond) this.cache?.record('uncond', step, predUncond, false);
        this.cache?.record('cond', step, predCond, true);
      }
      const noisePred =
        guided && predUncond ? applyGuidance(predCond, predUncond, guidanceScale, guided) : predCond;
      const next = scheduler.step(noisePred, latent, spare);
      if (imageLatent) pinFirstFrame(next, latentDims, imageLatent);
      const modelInput = latent;
      spare = latent;
      latent = next;
      yield {
        step,
        totalSteps: total,
        timestep,
        modelInput,
        tokenTimesteps: tokens,
        predCond,
        cached,
        predUncond,
        noisePred,
        latent,
        elapsedMs: performance.now() - started,
      };
    }
    return latent;
  }

  /** Runs every step with the hooks; throws DenoiseCancelledError when cancelled between steps. */
  async run(hooks: DenoiseHooks = {}): Promise<Float32Array> {
    const iterator = this.steps();
    let done = 0;
    for (;;) {
      if (hooks.signal?.aborted || (await hooks.shouldCancel?.())) {
        await iterator.return(new Float32Array());
        throw new DenoiseCancelledError(done);
      }
      const next = await iterator.next();
      if (next.done) return next.value;
      done++;
      await hooks.onStep?.(next.value);
    }
  }
}

/** Convenience: build the loop and run it. */
export function denoise(request: DenoiseRequest, hooks: DenoiseHooks = {}): Promise<Float32Array> {
  return new DenoisingLoop(request).run(hooks);
}
