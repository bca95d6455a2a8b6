import { describe, expect, it } from 'vitest';
import { bestOutputSize, imageToVideoTensor } from './image-input.ts';

describe(imageToVideoTensor.name, () => {
  it('should map bytes to [-1, 1] channel-first when given RGB pixels', () => {
    const out = imageToVideoTensor(Uint8Array.from([0, 255, 51, 255, 0, 102]), 2, 1);
    expect(Array.from(out)).toEqual([
      -1,
      1,
      1,
      -1,
      Math.fround(Math.fround(Math.fround(51 / 255) - 0.5) / 0.5),
      Math.fround(Math.fround(Math.fround(102 / 255) - 0.5) / 0.5),
    ]);
  });

  it('should refuse a buffer of the wrong size', () => {
    expect(() => imageToVideoTensor(new Uint8Array(5), 2, 1)).toThrow(/RGB bytes/);
  });
});

describe(bestOutputSize.name, () => {
  // Expected values computed with the official best_output_size.
  it('should pick the official sizes when given 720p-area images of several aspect ratios', () => {
    expect(bestOutputSize(1920, 1080, 32, 32, 704 * 1280)).toEqual({ width: 1248, height: 704 });
    expect(bestOutputSize(1280, 704, 32, 32, 704 * 1280)).toEqual({ width: 1280, height: 704 });
    expect(bestOutputSize(704, 1280, 32, 32, 704 * 1280)).toEqual({ width: 704, height: 1280 });
    expect(bestOutputSize(1000, 700, 32, 32, 704 * 1280)).toEqual({ width: 1120, height: 800 });
  });

  it('should give 32x32 for a square image at area 1024', () => {
    expect(bestOutputSize(32, 32, 32, 32, 1024)).toEqual({ width: 32, height: 32 });
  });
});
