import { describe, expect, it } from 'vitest';
import { parseBusy } from './pod-busy-probe.ts';

describe(parseBusy.name, () => {
  it('should read 1 as busy when the gauge has no labels', () => {
    expect(
      parseBusy(
        '# HELP cineweave_worker_busy x\n# TYPE cineweave_worker_busy gauge\ncineweave_worker_busy 1\n',
      ),
    ).toBe(true);
  });

  it('should read 0 as idle when the gauge has labels', () => {
    expect(parseBusy('cineweave_worker_busy_total 3\ncineweave_worker_busy{model="wan"} 0\n')).toBe(false);
  });

  it('should say unknown when the worker does not serve the gauge', () => {
    expect(parseBusy('cineweave_worker_busy_seconds 12\nprocess_cpu 1\n')).toBeUndefined();
  });
});
