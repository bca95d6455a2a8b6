import { assertNotFinished, assertSameLength, type DenoisingScheduler } from './denoising-scheduler.ts';
import { flowMatchSchedule } from './flow-sigmas.ts';

const f = Math.fround;

export interface EulerOptions {
  steps: number;
  shift: number;
  numTrainTimesteps?: number;
}

/**
 * Flow-matching Euler (diffusers FlowMatchEulerDiscreteScheduler without stochastic noise):
 * x_next = x + (sigma_next - sigma) * v, in float32, on the same shifted sigmas as UniPC. First
 * order and stateless apart from the step index; a baseline and a cheap fallback.
 */
export class FlowEulerScheduler implements DenoisingScheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  private index = 0;

  constructor(options: EulerOptions) {
    const schedule = flowMatchSchedule(options);
    this.timesteps = schedule.timesteps;
    this.sigmas = schedule.sigmas;
  }

  get stepIndex(): number {
    return this.index;
  }

  step(modelOutput: Float32Array, sample: Float32Array, into?: Float32Array): Float32Array {
    assertNotFinished(this);
    assertSameLength(modelOutput, sample);
    const dt = f(this.sigmas[this.index + 1] - this.sigmas[this.index]);
    const out = into ?? new Float32Array(sample.length);
    assertSameLength(out, sample);
    for (let j = 0; j < out.length; j++) out[j] = f(sample[j] + f(dt * modelOutput[j]));
    this.index++;
    return out;
  }
}
