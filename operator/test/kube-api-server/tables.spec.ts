import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, humanDuration } from './tables.ts';

describe(humanDuration.name, () => {
  it.each([
    [5_000, '5s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3_600_000 + 5 * 60_000, '3h5m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 3_600_000, '3d1h'],
    [400 * 86_400_000, '400d'],
  ])('should print %i ms as %s like kubectl AGE', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe(evaluateJsonPath.name, () => {
  const object = {
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'Complete', status: 'False' },
      ],
    },
  };

  it('should read dotted paths and filter lists', () => {
    expect(evaluateJsonPath(object, '.status.phase')).toBe('Running');
    expect(evaluateJsonPath(object, '.status.conditions[?(@.type=="Complete")].status')).toBe('False');
    expect(evaluateJsonPath(object, '.status.conditions[0].type')).toBe('Ready');
    expect(evaluateJsonPath(object, '.status.missing')).toBeUndefined();
  });
});
