import { describe, expect, it } from 'vitest';
import type { ReferenceIndex } from './reference-types.ts';
import { parseToleranceList, toleranceFor } from './tolerance.ts';

const index = {
  files: {
    'a.safetensors': {
      bytes: 0,
      sha256: '',
      tensors: {},
      suggested_tolerance: { what: 'all', max_abs: 5e-5 },
    },
  },
  suggested_tolerances: {
    'dit.safetensors': { what: '*.out', max_abs: 1e-4 },
    'pipe.safetensors': {
      what: 'latents 1e-3, noise_pred 2e-3, pred_cond/uncond 5e-4, video 5e-4, pos/neg_context 1e-5, i2v.z 3e-5',
      max_abs: null,
    },
  },
} as unknown as ReferenceIndex;

describe(toleranceFor.name, () => {
  it('should return the numeric max_abs when the file has one', () => {
    expect(toleranceFor(index, 'dit.safetensors')).toBe(1e-4);
    expect(toleranceFor(index, 'a.safetensors')).toBe(5e-5);
  });

  it('should pick the named entry when the file lists several tolerances', () => {
    expect(toleranceFor(index, 'pipe.safetensors', 'pred_uncond')).toBe(5e-4);
    expect(toleranceFor(index, 'pipe.safetensors', 'neg_context')).toBe(1e-5);
    expect(toleranceFor(index, 'pipe.safetensors', 'i2v.z')).toBe(3e-5);
  });

  it('should throw when no tolerance applies', () => {
    expect(() => toleranceFor(index, 'pipe.safetensors', 'bogus')).toThrow(/none is named "bogus"/);
    expect(() => toleranceFor(index, 'missing.safetensors')).toThrow(/no tolerance/);
  });
});

describe(parseToleranceList.name, () => {
  it('should expand slash alternatives on either side when parsing', () => {
    const parsed = parseToleranceList('pred_cond/uncond 5e-4, pos/neg_context 1e-5');
    expect([...parsed.keys()]).toEqual(['pred_cond', 'pred_uncond', 'pos_context', 'neg_context']);
  });
});
