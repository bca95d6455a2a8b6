import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'gpu.ts');

describe('bench/gpu --dry-run', () => {
  it('should build the tiny graphs, time every phase and estimate every preset on CPU', () => {
    const run = spawnSync(process.execPath, ['--conditions=@cineweave/source', script, '--dry-run'], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(run.status, run.stderr).toBe(0);
    for (const phase of [
      'build graphs',
      'umT5, 512 tokens',
      'DiT, 48 tokens x 3 calls',
      'VAE decode, 3 latent frames',
    ]) {
      expect(run.stdout).toContain(`| ${phase}`);
    }
    const rows = [
      ...run.stdout.matchAll(
        /^\| (quality|balanced|fast) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+)x \|$/gm,
      ),
    ];
    expect(rows.map((r) => [r[1], Number(r[2])])).toEqual([
      ['quality', 100],
      ['balanced', 78],
      ['fast', 3],
    ]);
    for (const row of rows) expect(Number(row[5])).toBeGreaterThan(1); // nothing beats the FLOP floor
  }, 200_000);
});
