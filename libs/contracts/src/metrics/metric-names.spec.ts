import { describe, expect, it } from 'vitest';
import { API_METRICS, METRIC_PREFIX, OPERATOR_METRICS, WORKER_METRICS } from './metric-names.ts';

describe('metric names', () => {
  const all = [
    ...Object.values(API_METRICS),
    ...Object.values(WORKER_METRICS),
    ...Object.values(OPERATOR_METRICS),
  ];

  it('should all carry the cineweave_ prefix and be valid Prometheus names', () => {
    for (const name of all) {
      expect(name.startsWith(METRIC_PREFIX)).toBe(true);
      expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    }
  });

  it('should be unique', () => {
    expect(new Set(all).size).toBe(all.length);
  });

  it('should end counters in _total', () => {
    expect(API_METRICS.gpuCost.endsWith('_total')).toBe(true);
    expect(WORKER_METRICS.gpuSeconds.endsWith('_total')).toBe(true);
  });
});
