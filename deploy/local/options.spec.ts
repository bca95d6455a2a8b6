import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.ts';

describe(parseOptions.name, () => {
  it('should run everything quietly with Kubernetes when no flag is given', () => {
    expect(parseOptions([])).toEqual({ verbose: false, kubernetes: true, infrastructureOnly: false });
  });

  it('should read --verbose and --no-kubernetes when they are given', () => {
    expect(parseOptions(['--verbose', '--no-kubernetes'])).toEqual({
      verbose: true,
      kubernetes: false,
      infrastructureOnly: false,
    });
  });

  it('should refuse a flag it does not know when one is mistyped', () => {
    expect(() => parseOptions(['--no-kube'])).toThrow(/--no-kube/);
  });
});
