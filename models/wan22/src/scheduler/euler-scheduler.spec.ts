import { describe, expect, it } from 'vitest';
import { FlowEulerScheduler } from './euler-scheduler.ts';

describe(FlowEulerScheduler.name, () => {
  it('should move the sample by (sigma_next - sigma) * v when it steps', () => {
    const scheduler = new FlowEulerScheduler({ steps: 4, shift: 5 });
    const [s0, s1] = scheduler.sigmas;
    const out = scheduler.step(new Float32Array([2, -1]), new Float32Array([1, 1]));
    expect(out[0]).toBeCloseTo(1 + (s1 - s0) * 2, 6);
    expect(out[1]).toBeCloseTo(1 - (s1 - s0), 6);
    expect(scheduler.stepIndex).toBe(1);
  });

  it('should land exactly on the data when the flow is constant', () => {
    // x_t = (1 - s) x0 + s eps has the constant velocity eps - x0, so Euler is exact for it.
    const x0 = 0.3;
    const eps = -1.2;
    const scheduler = new FlowEulerScheduler({ steps: 7, shift: 3 });
    let x: Float32Array = new Float32Array([(1 - scheduler.sigmas[0]) * x0 + scheduler.sigmas[0] * eps]);
    for (let k = 0; k < 7; k++) x = scheduler.step(new Float32Array([eps - x0]), x);
    expect(x[0]).toBeCloseTo(x0, 5);
  });
});
