import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { KubeObject } from './types.ts';

function object(name: string, labels: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', labels },
    spec: { nodeName: 'gpu-1' },
  };
}

const objects = [
  object('a', { app: 'w', tier: 'gpu' }),
  object('b', { app: 'w' }),
  object('c', { app: 'x', legacy: 'y' }),
];
const select = (selector: (o: KubeObject) => boolean) => objects.filter(selector).map((o) => o.metadata.name);

describe(parseLabelSelector.name, () => {
  it.each([
    ['app=w', ['a', 'b']],
    ['app==w,tier=gpu', ['a']],
    ['app!=w', ['c']],
    ['app in (w, x),tier notin (gpu)', ['b', 'c']],
    ['legacy', ['c']],
    ['!legacy', ['a', 'b']],
    ['', ['a', 'b', 'c']],
  ])('should select %j as the apiserver does', (selector, names) => {
    expect(select(parseLabelSelector(selector))).toEqual(names);
  });

  it('should refuse a selector it cannot parse with a 400', () => {
    expect(() => parseLabelSelector('app=(w')).toThrow(ApiError);
  });
});

describe(parseFieldSelector.name, () => {
  it('should select on any dotted field, with = and !=', () => {
    expect(select(parseFieldSelector('metadata.name=b'))).toEqual(['b']);
    expect(select(parseFieldSelector('metadata.namespace=ns,metadata.name!=a'))).toEqual(['b', 'c']);
    expect(select(parseFieldSelector('spec.nodeName=gpu-2'))).toEqual([]);
  });
});
