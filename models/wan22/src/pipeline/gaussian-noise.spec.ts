import { describe, expect, it } from 'vitest';
import { GaussianNoise } from './gaussian-noise.ts';

describe(GaussianNoise.name, () => {
  it('should give the same values for the same seed and different ones for another seed', () => {
    const a = new GaussianNoise(42).sample(64);
    expect(Array.from(new GaussianNoise(42).sample(64))).toEqual(Array.from(a));
    expect(Array.from(new GaussianNoise(43).sample(64))).not.toEqual(Array.from(a));
    expect(Array.from(new GaussianNoise(42 + 2 ** 32).sample(64))).not.toEqual(Array.from(a));
  });

  it('should have zero mean and unit variance when sampled at length', () => {
    const values = new GaussianNoise(7).sample(200_000);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    let variance = 0;
    for (const v of values) variance += (v - mean) ** 2;
    variance /= values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    // Tails exist but are Gaussian-thin: P(|x| > 4) ~ 6e-5.
    const tail = values.filter((v) => Math.abs(v) > 4).length / values.length;
    expect(tail).toBeLessThan(3e-4);
  });

  it('should refuse a negative or fractional seed', () => {
    expect(() => new GaussianNoise(-1)).toThrow(/non-negative integer/);
    expect(() => new GaussianNoise(1.5)).toThrow(/non-negative integer/);
  });
});
