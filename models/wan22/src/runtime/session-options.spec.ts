import { describe, expect, it } from 'vitest';
import { precisionFor, sessionOptionsFor } from './session-options.ts';

describe(sessionOptionsFor.name, () => {
  it('should put the CUDA provider on the chosen GPU first, with CPU as fallback, for cuda', () => {
    const options = sessionOptionsFor('cuda', 3);
    expect(options.executionProviders).toEqual([{ name: 'cuda', deviceId: 3 }, 'cpu']);
    expect(options.graphOptimizationLevel).toBe('all');
    expect(precisionFor('cuda')).toBe('fp16');
  });

  it('should use the CPU provider alone for cpu', () => {
    expect(sessionOptionsFor('cpu').executionProviders).toEqual(['cpu']);
    expect(precisionFor('cpu')).toBe('fp32');
  });
});
