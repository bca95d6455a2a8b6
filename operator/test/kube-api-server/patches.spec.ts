import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { BUILTIN_LIST_MERGE_RULES } from './builtin-resources.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patches.ts';

describe(applyMergePatch.name, () => {
  it('should merge objects, replace lists and delete fields set to null', () => {
    const target = { metadata: { labels: { a: '1', b: '2' }, finalizers: ['x'] }, spec: { n: 1 } };
    expect(applyMergePatch(target, { metadata: { labels: { b: null, c: '3' }, finalizers: [] } })).toEqual({
      metadata: { labels: { a: '1', c: '3' }, finalizers: [] },
      spec: { n: 1 },
    });
    expect(target.metadata.labels.b).toBe('2');
  });
});

describe(applyJsonPatch.name, () => {
  it('should apply add, replace, remove, move, copy and test in order', () => {
    const result = applyJsonPatch({ list: [1, 2], a: { b: 1 } }, [
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'replace', path: '/a/b', value: 2 },
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'move', from: '/c', path: '/d' },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/d/b', value: 2 },
    ]);
    expect(result).toEqual({ list: [2, 3], a: { b: 2 }, d: { b: 2 } });
  });

  it('should refuse the whole patch when a test fails or a path is missing', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(ApiError);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/metadata/finalizers' }])).toThrow(
      /missing path/,
    );
  });
});

describe(applyStrategicMergePatch.name, () => {
  it('should merge containers by name and honour $patch: delete', () => {
    const target = {
      spec: {
        containers: [
          { name: 'worker', image: 'w:1' },
          { name: 'sidecar', image: 's:1' },
        ],
      },
    };
    const patched = applyStrategicMergePatch(
      target,
      {
        spec: {
          containers: [
            { name: 'worker', image: 'w:2' },
            { name: 'sidecar', $patch: 'delete' },
            { name: 'new', image: 'n:1' },
          ],
        },
      },
      BUILTIN_LIST_MERGE_RULES,
    );
    expect(patched).toEqual({
      spec: {
        containers: [
          { name: 'worker', image: 'w:2' },
          { name: 'new', image: 'n:1' },
        ],
      },
    });
  });
});
