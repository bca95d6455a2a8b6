import { describe, expect, it } from 'vitest';
import { setCondition } from './conditions.ts';

describe(setCondition.name, () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');

  it('should keep lastTransitionTime when only the reason or message changes', () => {
    const first = setCondition(
      [],
      { type: 'Complete', status: 'False', reason: 'Pending', message: 'a' },
      1,
      t0,
    );
    const second = setCondition(
      first,
      { type: 'Complete', status: 'False', reason: 'Running', message: 'b' },
      2,
      t1,
    );
    expect(second).toEqual([
      {
        type: 'Complete',
        status: 'False',
        reason: 'Running',
        message: 'b',
        lastTransitionTime: t0.toISOString(),
        observedGeneration: 2,
      },
    ]);
  });

  it('should move lastTransitionTime when the status flips', () => {
    const first = setCondition(
      [],
      { type: 'Complete', status: 'False', reason: 'Running', message: 'a' },
      1,
      t0,
    );
    const second = setCondition(
      first,
      { type: 'Complete', status: 'True', reason: 'Succeeded', message: 'b' },
      1,
      t1,
    );
    expect(second[0].lastTransitionTime).toBe(t1.toISOString());
  });
});
