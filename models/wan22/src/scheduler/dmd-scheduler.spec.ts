import { describe, expect, it } from 'vitest';
import { DmdScheduler } from './dmd-scheduler.ts';

/*
 * Expected values derived from FastVideo's published code, FastWan2.2-TI2V-5B:
 * - fastvideo/configs/pipelines/wan.py @ 6c139918f8574a60e1c5ecc487f96c9f666dce5b
 *   (FastWan2_2_TI2V_5B_Config: flow_shift 5.0, dmd_denoising_steps [1000, 757, 522]);
 * - fastvideo/models/schedulers/scheduling_flow_match_euler_discrete.py
 *   @ 04685a3ecdba775d6b21454d18ca356d5499c76d (__init__: timesteps = linspace(1, 1000, 1000)[::-1],
 *   sigmas = shift s / (1 + (shift - 1) s) with s = timesteps / 1000, self.timesteps = sigmas * 1000,
 *   float32; add_noise: sigma of argmin |timesteps - t|, (1 - sigma) x0 + sigma noise);
 * - fastvideo/models/utils.py @ 8a623d5aa73b68406a00b5faf3c17b5e6225563d (pred_noise_to_pred_video:
 *   the same nearest-timestep sigma, x0 = x - sigma v);
 * - fastvideo/pipelines/stages/denoising_dmd_strategy.py @ 5939883d31f765de11f52d40674f7781f58d0f65
 *   (per step: x0 from the prediction; re-noise to the next timestep with fresh noise; last step x0).
 * At shift 5, 1000 is schedule index 0 (sigma 1); 757 is index 616: u = 0.384, sigma = 1.92 / 2.536
 * = 0.75709784 (timestep 757.0978); 522 is index 821: u = 0.179, sigma = 0.895 / 1.716 = 0.52156174.
 */
const FASTWAN_TIMESTEPS = [1000, 757, 522];
const EXPECTED_SIGMAS = [1, 0.7570978403091431, 0.5215617418289185, 0];

describe(DmdScheduler.name, () => {
  it("should give FastWan2.2-TI2V-5B's timesteps and the sigmas FastVideo's scheduler looks up for them", () => {
    const scheduler = new DmdScheduler({
      timesteps: FASTWAN_TIMESTEPS,
      shift: 5,
      noise: (n) => new Float32Array(n),
    });
    expect(scheduler.timesteps).toEqual([1000, 757, 522]);
    expect(Array.from(scheduler.sigmas)).toEqual(EXPECTED_SIGMAS);
  });

  it('should predict x0 and re-noise it to the next sigma with fresh noise, and return x0 at the last step', () => {
    const draws: Float32Array[] = [Float32Array.from([0.5, -1]), Float32Array.from([2, 0.25])];
    const scheduler = new DmdScheduler({
      timesteps: FASTWAN_TIMESTEPS,
      shift: 5,
      noise: () => draws.shift() ?? new Float32Array(2),
    });
    const f = Math.fround;
    const x = Float32Array.from([0.3, -0.7]);
    const v = Float32Array.from([0.1, 0.4]);
    const [s0, s1, s2] = EXPECTED_SIGMAS.map(f);
    const x0 = [f(0.3 - f(s0 * 0.1)), f(f(-0.7) - f(s0 * 0.4))];
    const step1 = scheduler.step(v, x);
    expect(Array.from(step1)).toEqual([
      f(f(f(1 - s1) * x0[0]) + f(s1 * 0.5)),
      f(f(f(1 - s1) * x0[1]) + f(s1 * -1)),
    ]);
    const step2 = scheduler.step(v, step1);
    const x0b = [f(step1[0] - f(s1 * 0.1)), f(step1[1] - f(s1 * 0.4))];
    expect(Array.from(step2)).toEqual([
      f(f(f(1 - s2) * x0b[0]) + f(s2 * 2)),
      f(f(f(1 - s2) * x0b[1]) + f(s2 * 0.25)),
    ]);
    const last = scheduler.step(v, step2);
    expect(Array.from(last)).toEqual([f(step2[0] - f(s2 * 0.1)), f(step2[1] - f(s2 * 0.4))]);
    expect(draws).toHaveLength(0); // two re-noises for three steps
  });

  it('should refuse timesteps that do not decrease', () => {
    expect(
      () => new DmdScheduler({ timesteps: [757, 1000], shift: 5, noise: (n) => new Float32Array(n) }),
    ).toThrow(/decreasing/);
  });
});
