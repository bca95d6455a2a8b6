import { assertNotFinished, assertSameLength, type DenoisingScheduler } from './denoising-scheduler.ts';

const f = Math.fround;

/**
 * The step of few-step distilled samplers (DMD / "Lightning", re-noise variant), whatever their
 * schedule: the model's flow prediction gives x0 = x - sigma * v; before every step but the last,
 * x0 is re-noised to the next sigma with fresh noise, x = (1 - sigma') * x0 + sigma' * eps; the last
 * step returns x0. Subclasses only say which timesteps and sigmas (the last sigma is 0).
 */
export abstract class RenoiseSampler implements DenoisingScheduler {
  readonly timesteps: readonly number[];
  readonly sigmas: Float32Array;
  private readonly noise: (length: number) => Float32Array;
  private index = 0;

  protected constructor(
    timesteps: readonly number[],
    sigmas: Float32Array,
    noise: (length: number) => Float32Array,
  ) {
    if (sigmas.length !== timesteps.length + 1 || sigmas[timesteps.length] !== 0) {
      throw new Error('a re-noise schedule has one sigma per timestep and a final sigma of 0');
    }
    this.timesteps = timesteps;
    this.sigmas = sigmas;
    this.noise = noise;
  }

  get stepIndex(): number {
    return this.index;
  }

  step(modelOutput: Float32Array, sample: Float32Array, into?: Float32Array): Float32Array {
    assertNotFinished(this);
    assertSameLength(modelOutput, sample);
    const sigma = this.sigmas[this.index];
    const next = this.sigmas[this.index + 1];
    const out = into ?? new Float32Array(sample.length);
    assertSameLength(out, sample);
    for (let j = 0; j < out.length; j++) out[j] = f(sample[j] - f(sigma * modelOutput[j]));
    this.index++;
    if (this.index === this.timesteps.length) return out;
    const eps = this.noise(out.length);
    if (eps.length !== out.length) {
      throw new Error(`the noise source returned ${eps.length} values for a latent of ${out.length}`);
    }
    const keep = f(1 - next);
    for (let j = 0; j < out.length; j++) out[j] = f(f(keep * out[j]) + f(next * eps[j]));
    return out;
  }
}
