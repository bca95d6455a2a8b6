import { RenoiseSampler } from './renoise-sampler.ts';

export interface DistilledOptions {
  /** 3 or 4 for the published few-step distillations. */
  steps: number;
  /** Timestep shift applied to the evenly spaced timesteps (5 for Wan TI2V distillations). */
  shift: number;
  numTrainTimesteps?: number;
  /**
   * Fresh standard-normal noise of the latent's size, drawn once per re-noise (steps - 1 times).
   * Seed it from the job so that a video can be reproduced.
   */
  noise: (length: number) => Float32Array;
}

/**
 * Few-step sampler for step-distilled checkpoints (DMD / "Lightning" style, re-noise variant).
 * The timesteps are T, T(N-1)/N, ..., T/N, shifted like the flow schedule; at each step the model's
 * flow prediction gives x0 = x - sigma * v, and the next input is x0 re-noised to the next sigma
 * with fresh noise: x_next = (1 - sigma_next) * x0 + sigma_next * eps. The last step returns x0.
 * Such checkpoints are distilled without classifier-free guidance, so use guidance 1 with them.
 */
export class DistilledRenoiseScheduler extends RenoiseSampler {
  constructor(options: DistilledOptions) {
    const { steps, shift } = options;
    const numTrain = options.numTrainTimesteps ?? 1000;
    if (!Number.isInteger(steps) || steps < 1 || steps > 8) {
      throw new Error(`a distilled schedule has 1 to 8 steps (usually 3 or 4), got ${steps}`);
    }
    if (!(shift > 0)) throw new Error(`shift must be positive, got ${shift}`);
    const sigmas = new Float32Array(steps + 1);
    const timesteps: number[] = [];
    for (let i = 0; i < steps; i++) {
      const s = (steps - i) / steps;
      const shifted = (shift * s) / (1 + (shift - 1) * s);
      sigmas[i] = shifted;
      timesteps.push(shifted * numTrain);
    }
    super(timesteps, sigmas, options.noise);
  }
}
