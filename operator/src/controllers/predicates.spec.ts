import { describe, expect, it } from 'vitest';
import { specOrDeletionChanged } from './predicates.ts';

const object = (generation: number, resourceVersion: string, deletionTimestamp?: string) => ({
  metadata: { name: 'x', namespace: 'ns', generation, resourceVersion, deletionTimestamp },
});

describe(specOrDeletionChanged.name, () => {
  it('should skip a modification when only status or metadata moved', () => {
    expect(specOrDeletionChanged('MODIFIED', object(1, '2'), object(1, '1'))).toBe(false);
  });

  it('should pass a modification when the generation or the deletion changed', () => {
    expect(specOrDeletionChanged('MODIFIED', object(2, '2'), object(1, '1'))).toBe(true);
    expect(specOrDeletionChanged('MODIFIED', object(1, '2', '2026-01-01T00:00:00Z'), object(1, '1'))).toBe(
      true,
    );
  });

  it('should pass additions, deletions and resyncs', () => {
    for (const type of ['ADDED', 'DELETED', 'RESYNC'])
      expect(specOrDeletionChanged(type, object(1, '1'))).toBe(true);
  });
});
