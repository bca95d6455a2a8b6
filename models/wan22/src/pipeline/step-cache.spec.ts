import { describe, expect, it } from 'vitest';
import { StepCache } from './step-cache.ts';

/** Runs the cache over `steps` steps whose cond prediction has magnitude magnitudes[step]. */
function decisions(cache: StepCache, magnitudes: readonly number[]): boolean[] {
  return magnitudes.map((m, step) => {
    if (cache.shouldSkip(step)) return true;
    cache.record('cond', step, new Float32Array(4).fill(m), true);
    return false;
  });
}

describe(StepCache.name, () => {
  it('should never skip when the threshold is 0', () => {
    const cache = new StepCache({ threshold: 0 }, 10);
    expect(decisions(cache, new Array(10).fill(1))).not.toContain(true);
  });

  it('should skip at most maxSkips steps in a row, never in the retained first steps or the last step, when the magnitude is steady', () => {
    const cache = new StepCache({ threshold: 0.5, maxSkips: 2, retainFraction: 0.2 }, 10);
    expect(decisions(cache, new Array(10).fill(1))).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(cache.stats).toEqual({ computedSteps: 5, skippedSteps: 5 });
  });

  it('should stop skipping once the accumulated magnitude change reaches the threshold', () => {
    // Each step the magnitude grows 5%: one skip costs 0.05, a second 0.1025 more.
    const grow = Array.from({ length: 10 }, (_, i) => 1.05 ** i);
    const tight = new StepCache({ threshold: 0.06, maxSkips: 3, retainFraction: 0 }, 10);
    expect(decisions(tight, grow)).toEqual([
      false,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    const loose = new StepCache({ threshold: 0.2, maxSkips: 3, retainFraction: 0 }, 10);
    expect(decisions(loose, grow).filter(Boolean).length).toBeGreaterThan(4);
  });

  it('should hand back the last computed prediction of the branch asked for', () => {
    const cache = new StepCache({ threshold: 1, retainFraction: 0 }, 5);
    cache.record('uncond', 0, Float32Array.from([3, 4]), false);
    cache.record('cond', 0, Float32Array.from([1, 2]), true);
    expect(Array.from(cache.reuse('uncond', new Float32Array(2)))).toEqual([3, 4]);
    expect(() => cache.reuse('other', new Float32Array(2))).toThrow(/no prediction for the other branch/);
  });
});
