import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsFile } from '../safetensors/index.ts';
import { seededNoise } from './seeded-noise.ts';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'wan22');

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe(seededNoise.name, () => {
  it.each([
    ['t2v', 20250811],
    ['i2v', 20250911],
  ])('should draw the official %s pipeline noise from its seed %i', async (variant, seed) => {
    await using file = await SafetensorsFile.open(join(fixtures, 'pipeline-tiny-cases.safetensors'));
    const official = await file.readFloat32(`${variant}.noise`);
    const ours = seededNoise(seed, official.length);
    // torch computes the transform in float32 (vectorised), we in float64: the last bit may differ.
    expect(maxAbsDifference(ours, official)).toBeLessThan(1e-5);
  });

  it('should give the same noise for the same seed and different noise for another', () => {
    expect(seededNoise(7, 100)).toEqual(seededNoise(7, 100));
    expect(maxAbsDifference(seededNoise(7, 100), seededNoise(8, 100))).toBeGreaterThan(0.5);
  });

  it('should look like a standard normal distribution', () => {
    const values = seededNoise(42, 200_000);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });
});
