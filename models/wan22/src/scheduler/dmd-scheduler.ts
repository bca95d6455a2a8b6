import { RenoiseSampler } from './renoise-sampler.ts';

const f = Math.fround;

export interface DmdOptions {
  /** The checkpoint's denoising timesteps, e.g. FastWan2.2-TI2V-5B's [1000, 757, 522]. */
  timesteps: readonly number[];
  /** The flow shift of the scheduler the checkpoint was distilled with (5 for FastWan2.2-TI2V-5B). */
  shift: number;
  numTrainTimesteps?: number;
  /** Fresh standard-normal noise of the latent's size for each re-noise (seed it from the job). */
  noise: (length: number) => Float32Array;
}

/**
 * The few-step sampler of DMD-distilled Wan checkpoints as FastVideo runs them (its DMD denoising
 * stage): the DiT gets each listed timestep as is; its flow prediction gives x0 = x - sigma * v;
 * before every step but the last, x0 is re-noised to the next timestep's sigma with fresh noise,
 * x = (1 - sigma') * x0 + sigma' * eps; the last step returns x0. CFG-free (guidance 1).
 *
 * The sigma of a timestep is looked up, not computed: FastVideo's FlowMatchEulerDiscreteScheduler
 * holds the shifted 1000-step training schedule (sigma_k = shift u / (1 + (shift - 1) u) for
 * u = k / 1000, timesteps_k = 1000 sigma_k, in float32) and both x0 and the re-noise take the
 * sigma of the schedule timestep nearest the given one (argmin, first on a tie). So sigma is close
 * to t / 1000 but not equal to it (757 -> 0.757098 at shift 5).
 */
export class DmdScheduler extends RenoiseSampler {
  constructor(options: DmdOptions) {
    const numTrain = options.numTrainTimesteps ?? 1000;
    const { timesteps, shift } = options;
    if (timesteps.length < 1 || timesteps.length > 8) {
      throw new Error(`a DMD schedule has 1 to 8 timesteps, got ${timesteps.length}`);
    }
    for (let i = 0; i < timesteps.length; i++) {
      const t = timesteps[i];
      if (!Number.isInteger(t) || t < 1 || t > numTrain || (i > 0 && t >= timesteps[i - 1])) {
        throw new Error(
          `DMD timesteps must be decreasing whole numbers in 1..${numTrain}, got [${timesteps.join(', ')}]`,
        );
      }
    }
    if (!(shift > 0)) throw new Error(`shift must be positive, got ${shift}`);
    const grid = trainingSchedule(numTrain, shift);
    const sigmas = new Float32Array(timesteps.length + 1);
    timesteps.forEach((t, i) => (sigmas[i] = grid.sigmaOf(t)));
    super([...timesteps], sigmas, options.noise);
  }
}

/**
 * FlowMatchEulerDiscreteScheduler.__init__'s schedule in float32: u = linspace(1, T, T)[::-1] / T,
 * sigma = shift u / (1 + (shift - 1) u), timestep = sigma T; `sigmaOf(t)` is the sigma of the
 * timestep nearest t.
 */
function trainingSchedule(numTrain: number, shift: number): { sigmaOf(t: number): number } {
  const s = f(shift);
  const sigmas = new Float32Array(numTrain);
  const timesteps = new Float32Array(numTrain);
  for (let k = 0; k < numTrain; k++) {
    const u = f(f(numTrain - k) / numTrain);
    sigmas[k] = f(f(s * u) / f(1 + f(f(s - 1) * u)));
    timesteps[k] = f(sigmas[k] * numTrain);
  }
  return {
    sigmaOf(t: number): number {
      let best = 0;
      for (let k = 1; k < numTrain; k++) {
        if (Math.abs(timesteps[k] - t) < Math.abs(timesteps[best] - t)) best = k;
      }
      return sigmas[best];
    },
  };
}
