/**
 * Flow-matching noise schedule as FlowUniPCMultistepScheduler(num_train_timesteps=1000, shift=1)
 * .set_timesteps(N, shift) builds it in the official Wan 2.2 code.
 *
 * The arithmetic follows numpy float64 step by step (linspace, then the shift), because the
 * DiT receives the int64-truncated timesteps: one ulp of difference before the truncation can
 * move a timestep by one. Sigmas are then rounded to float32, as the official tensor is.
 */
export interface FlowSchedule {
  /** N + 1 float32 sigmas, the last one the final sigma (0). */
  readonly sigmas: Float32Array;
  /** N integer timesteps (sigma * num_train_timesteps, truncated toward zero) given to the DiT. */
  readonly timesteps: readonly number[];
}

export interface FlowScheduleOptions {
  steps: number;
  /** Timestep shift s' = shift * s / (1 + (shift - 1) * s); Wan TI2V uses 5. */
  shift: number;
  numTrainTimesteps?: number;
}

export function flowMatchSchedule(options: FlowScheduleOptions): FlowSchedule {
  const { steps, shift } = options;
  const numTrain = options.numTrainTimesteps ?? 1000;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`sampling steps must be a positive integer, got ${steps}`);
  }
  if (!(shift > 0)) throw new Error(`shift must be positive, got ${shift}`);

  const { sigmaMax, sigmaMin } = trainingSigmaRange(numTrain);
  // np.linspace(sigma_max, sigma_min, N + 1)[:-1]
  const unshifted = linspace(sigmaMax, sigmaMin, steps + 1).slice(0, steps);
  const shifted = unshifted.map((s) => (shift * s) / (1 + (shift - 1) * s));
  const timesteps = shifted.map((s) => Math.trunc(s * numTrain));
  const sigmas = new Float32Array(steps + 1);
  shifted.forEach((s, i) => (sigmas[i] = s));
  sigmas[steps] = 0;
  return { sigmas, timesteps };
}

/**
 * The training sigmas of the official __init__: 1 - linspace(1, 1/T, T) reversed, as float32, with
 * shift 1 (a no-op). Only the two ends are used later: sigma_max = float32(1 - 1/T) read back as a
 * Python float, and sigma_min = 0.
 */
function trainingSigmaRange(numTrain: number): { sigmaMax: number; sigmaMin: number } {
  const alphas = linspace(1, 1 / numTrain, numTrain);
  const sigmaMax = Math.fround(1 - alphas[numTrain - 1]);
  const sigmaMin = Math.fround(1 - alphas[0]);
  return { sigmaMax, sigmaMin };
}

/** numpy.linspace(start, stop, num) with endpoint=True, float64, in numpy's order of operations. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = new Array<number>(num);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}
