import { describe, expect, it } from 'vitest';
import { latentDimsFor, tokenCount } from './latent-shape.ts';

describe(latentDimsFor.name, () => {
  it('should give [48, 31, 44, 80] and 27,280 tokens when the video is the 1280x704x121 default', () => {
    const dims = latentDimsFor({ width: 1280, height: 704, frames: 121 });
    expect(dims).toEqual([48, 31, 44, 80]);
    expect(tokenCount(dims)).toBe(27_280);
  });

  it('should give the tiny reference latent [48, 2, 2, 2] when the video is 32x32x5', () => {
    expect(latentDimsFor({ width: 32, height: 32, frames: 5 })).toEqual([48, 2, 2, 2]);
  });

  it('should refuse frame counts that are not 1 + 4k and sizes off the 32-pixel grid', () => {
    expect(() => latentDimsFor({ width: 1280, height: 704, frames: 120 })).toThrow(/1 \+ 4k/);
    expect(() => latentDimsFor({ width: 1280, height: 720, frames: 121 })).toThrow(/multiple of 32x32/);
  });
});
