import { describe, expect, it } from 'vitest';
import { DistilledRenoiseScheduler } from './distilled-scheduler.ts';

describe(DistilledRenoiseScheduler.name, () => {
  it('should use evenly spaced timesteps shifted like the flow schedule when it has 4 steps', () => {
    const scheduler = new DistilledRenoiseScheduler({
      steps: 4,
      shift: 5,
      noise: (n) => new Float32Array(n),
    });
    expect(scheduler.timesteps).toHaveLength(4);
    expect(scheduler.timesteps[0]).toBeCloseTo(1000, 6);
    expect(scheduler.timesteps[1]).toBeCloseTo(937.5, 6);
    expect(scheduler.timesteps[2]).toBeCloseTo(833.333, 2);
    expect(scheduler.timesteps[3]).toBeCloseTo(625, 6);
    expect(scheduler.sigmas[4]).toBe(0);
  });

  it('should re-noise the x0 prediction to the next sigma and return x0 on the last step', () => {
    let draws = 0;
    const scheduler = new DistilledRenoiseScheduler({
      steps: 3,
      shift: 1,
      noise: (n) => {
        draws++;
        return new Float32Array(n).fill(2);
      },
    });
    const x0 = 0.5;
    let x: Float32Array = new Float32Array([1]);
    for (let k = 0; k < 3; k++) {
      const sigma = scheduler.sigmas[k];
      // A perfect model: v such that x - sigma * v = x0.
      x = scheduler.step(new Float32Array([(x[0] - x0) / sigma]), x);
      const next = scheduler.sigmas[k + 1];
      expect(x[0]).toBeCloseTo((1 - next) * x0 + next * 2, 5);
    }
    expect(x[0]).toBeCloseTo(x0, 6);
    expect(draws).toBe(2);
  });

  it('should refuse a noise source that returns the wrong size', () => {
    const scheduler = new DistilledRenoiseScheduler({ steps: 2, shift: 5, noise: () => new Float32Array(1) });
    expect(() => scheduler.step(new Float32Array(3), new Float32Array(3))).toThrow(/noise source/);
  });
});
