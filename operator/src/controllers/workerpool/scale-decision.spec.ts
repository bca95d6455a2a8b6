import { describe, expect, it } from 'vitest';
import { decideScale } from './scale-decision.ts';

const base = { busy: 0, lowSince: undefined, scaleDownDelayMs: 60_000, now: 1_000_000 };

describe(decideScale.name, () => {
  it('should scale up at once when demand exceeds the replicas', () => {
    expect(decideScale({ ...base, current: 1, desired: 4, lowSince: 5 })).toEqual({
      replicas: 4,
      lowSince: undefined,
    });
  });

  it('should hold the replicas and start the clock when demand first drops', () => {
    expect(decideScale({ ...base, current: 4, desired: 1 })).toEqual({
      replicas: 4,
      lowSince: 1_000_000,
      recheckInMs: 60_000,
    });
  });

  it('should scale down when demand stayed lower for the whole delay', () => {
    expect(decideScale({ ...base, current: 4, desired: 1, lowSince: 1_000_000 - 60_000 })).toEqual({
      replicas: 1,
      lowSince: undefined,
    });
  });

  it('should keep busy workers when the delay has passed but they are rendering', () => {
    const outcome = decideScale({ ...base, current: 4, desired: 0, busy: 2, lowSince: 0 });
    expect(outcome.replicas).toBe(2);
    expect(outcome.lowSince).toBe(0);
    expect(outcome.recheckInMs).toBeGreaterThan(0);
  });
});
