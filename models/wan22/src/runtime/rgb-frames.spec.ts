import { describe, expect, it } from 'vitest';
import { rgbFramesFromTensor } from './rgb-frames.ts';

describe(rgbFramesFromTensor.name, () => {
  it('should map [-1, 1] planar channels to interleaved RGB bytes, clamping outliers', () => {
    // [3 channels, 2 frames, 1 x 2 pixels]
    const data = Float32Array.from([
      ...[-1, 1, /* frame 1 */ 0, 2], // R
      ...[0, 0, /* frame 1 */ -2, 1], // G
      ...[1, -1, /* frame 1 */ 0.5, -0.5], // B
    ]);
    const frames = [...rgbFramesFromTensor(data, [3, 2, 1, 2])];
    expect(frames.map((frame) => [...frame])).toEqual([
      [0, 128, 255, 255, 128, 0],
      [128, 0, 191, 255, 255, 64],
    ]);
  });

  it('should refuse a tensor whose size does not match its shape', () => {
    expect(() => [...rgbFramesFromTensor(new Float32Array(5), [3, 1, 1, 2])]).toThrow(/needs 6/);
  });
});
