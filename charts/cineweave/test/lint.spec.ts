import { describe, expect, it } from 'vitest';
import { ciValuesFiles } from './support/render.ts';
import { helm } from './support/tools.ts';

describe('helm lint', () => {
  it('should find the ci scenarios when the chart is checked out', () => {
    expect(ciValuesFiles).toEqual([
      'default-values.yaml',
      'external-services-values.yaml',
      'gpu-pool-values.yaml',
      'vllm-omni-values.yaml',
    ]);
  });

  it('should pass with the chart defaults when linted strictly', async () => {
    const { stdout } = await helm(['lint', '.', '--strict']);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it.each(ciValuesFiles)('should pass when linted strictly with ci/%s', async (file) => {
    const { stdout } = await helm(['lint', '.', '--strict', '--values', `ci/${file}`]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('should refuse values the schema forbids when AUTH_MODE would be dev', async () => {
    await expect(helm(['template', 'cw', '.', '--set', 'auth.mode=dev'])).rejects.toThrow(/auth\/mode/);
  });

  it('should refuse unknown keys when a value is misspelt', async () => {
    await expect(helm(['template', 'cw', '.', '--set', 'api.replica=3'])).rejects.toThrow(/replica/);
  });
});
