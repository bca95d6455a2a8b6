import { describe, expect, it } from 'vitest';
import { evaluateDim, scaled, symbolicDim, UNIT } from './vae-graph-ops.ts';

describe(symbolicDim.name, () => {
  it('should name cache dims by their scale relative to the input size', () => {
    expect(symbolicDim('h', UNIT)).toBe('h');
    expect(symbolicDim('h', scaled(scaled(UNIT, 2), 2))).toBe('h*4');
    expect(symbolicDim('H', scaled(UNIT, 1 / 2))).toBe('H/2');
    expect(symbolicDim('H', scaled(scaled(UNIT, 1 / 4), 2))).toBe('H/2');
  });
});

describe(evaluateDim.name, () => {
  it('should size symbolic dims from the base sizes when they divide evenly', () => {
    expect(evaluateDim('h*8', { h: 44 })).toBe(352);
    expect(evaluateDim('W/16', { W: 1280 })).toBe(80);
    expect(evaluateDim(2, {})).toBe(2);
  });

  it('should refuse an unknown base or a size that does not divide', () => {
    expect(() => evaluateDim('w*2', { h: 4 })).toThrow(/known sizes are h/);
    expect(() => evaluateDim('H/16', { H: 700 })).toThrow(/divide evenly/);
  });
});
