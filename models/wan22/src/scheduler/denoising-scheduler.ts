/**
 * What the denoising loop needs from a sampler: the timesteps to give the DiT, and a step that
 * turns the model's flow prediction at the current timestep into the next latent. A scheduler is
 * stateful (multistep history, step index); use one instance per video.
 */
export interface DenoisingScheduler {
  /** Timesteps given to the DiT, one per step (integers for the flow schedules). */
  readonly timesteps: readonly number[];
  /** Float32 sigmas, one more than timesteps (the last is the final sigma). */
  readonly sigmas: Float32Array;
  /** Index of the step the next call of `step` performs. */
  readonly stepIndex: number;
  /**
   * Consumes the flow prediction for the current step and returns the next sample: written into
   * `out` when given (which may be `sample` itself, so a loop can reuse its buffers), else a new array.
   */
  step(modelOutput: Float32Array, sample: Float32Array, out?: Float32Array): Float32Array;
}

export function assertSameLength(modelOutput: Float32Array, sample: Float32Array): void {
  if (modelOutput.length !== sample.length) {
    throw new Error(
      `model output has ${modelOutput.length} values but the sample has ${sample.length}: ` +
        'both must be the same latent shape',
    );
  }
}

export function assertNotFinished(scheduler: DenoisingScheduler): void {
  if (scheduler.stepIndex >= scheduler.timesteps.length) {
    throw new Error(
      `all ${scheduler.timesteps.length} steps were already taken: create a new scheduler for the next video`,
    );
  }
}
