import { describe, expect, it } from 'vitest';
import { deliverJobOptions, nextRetryDelay } from './delivery-schedule.ts';

const settings = { baseMs: 5_000, maxMs: 3_600_000, windowMs: 24 * 3_600_000 };

describe(nextRetryDelay.name, () => {
  it('should double the delay per failure, within the jitter band', () => {
    const created = new Date(0);
    expect(nextRetryDelay(1, created, settings, 0, () => 0)).toBe(2_500);
    expect(nextRetryDelay(1, created, settings, 0, () => 0.999_999)).toBeCloseTo(7_500, -1);
    expect(nextRetryDelay(3, created, settings, 0, () => 0.5)).toBe(20_000);
  });

  it('should cap the delay at the maximum', () => {
    expect(nextRetryDelay(30, new Date(0), settings, 0, () => 0.5)).toBe(3_600_000);
  });

  it('should give up when the next attempt would fall past the window', () => {
    const created = new Date(0);
    expect(nextRetryDelay(30, created, settings, 23.5 * 3_600_000, () => 0.5)).toBeNull();
    expect(nextRetryDelay(30, created, settings, 22 * 3_600_000, () => 0.5)).toBe(3_600_000);
  });

  it('should try for about a day with the defaults before giving up', () => {
    let now = 0;
    let attempts = 1;
    for (;;) {
      const delay = nextRetryDelay(attempts, new Date(0), settings, now, () => 0.5);
      if (delay === null) break;
      now += delay;
      attempts++;
    }
    expect(now).toBeGreaterThan(23 * 3_600_000);
    expect(now).toBeLessThanOrEqual(24 * 3_600_000);
    expect(attempts).toBeGreaterThan(20);
  });
});

describe(deliverJobOptions.name, () => {
  it('should name the job after the delivery and the attempt, without a colon', () => {
    const options = deliverJobOptions({ deliveryId: 'abc', attempt: 3 }, 1500.4);
    expect(options.jobId).toBe('abc-a3');
    expect(options.jobId).not.toContain(':');
    expect(options.delay).toBe(1500);
  });
});
