import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const fixtures = join(import.meta.dirname, 'fixtures', 'wan22');
const cli = join(import.meta.dirname, '../src/cli/reference-check.ts');

function referenceCheck(dir: string): { status: number | null; lines: string[] } {
  const run = spawnSync(process.execPath, [cli, '--dir', dir], { encoding: 'utf8' });
  return { status: run.status, lines: run.stdout.trim().split('\n') };
}

// reference-check must work on any directory laid out like the reference: here a directory with
// only the umT5 files, whose index.json is cut down to them.
describe('reference-check CLI', () => {
  let dir: string;
  let index: { files: Record<string, unknown>; suggested_tolerances: Record<string, { max_abs: number }> };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reference-'));
    for (const file of ['t5-tiny.safetensors', 't5-tiny-cases.safetensors']) {
      await copyFile(join(fixtures, file), join(dir, file));
    }
    const full = JSON.parse(await readFile(join(fixtures, 'index.json'), 'utf8'));
    index = {
      files: {
        't5-tiny.safetensors': full.files['t5-tiny.safetensors'],
        't5-tiny-cases.safetensors': full.files['t5-tiny-cases.safetensors'],
      },
      suggested_tolerances: {
        't5-tiny-cases.safetensors': full.suggested_tolerances['t5-tiny-cases.safetensors'],
      },
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'should print one PASS line per case and exit 0 when every case is within tolerance',
    { timeout: 60_000 },
    async () => {
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
      const { status, lines } = referenceCheck(dir);
      expect(lines.at(-1)).toBe('4 passed, 0 failed');
      expect(
        lines.slice(0, -1).every((l) => /^t5-tiny-cases\/\S.* max_abs=\S+ +tol=\S+ +PASS$/.test(l)),
      ).toBe(true);
      expect(status).toBe(0);
    },
  );

  it(
    'should print FAIL and exit 1 when the tolerance is tighter than the error',
    { timeout: 60_000 },
    async () => {
      const strict = structuredClone(index);
      strict.suggested_tolerances['t5-tiny-cases.safetensors'].max_abs = 1e-9;
      await writeFile(join(dir, 'index.json'), JSON.stringify(strict));
      const { status, lines } = referenceCheck(dir);
      expect(lines.at(-1)).toBe('1 passed, 3 failed');
      expect(lines.filter((l) => l.endsWith('FAIL'))).toHaveLength(3);
      expect(status).toBe(1);
    },
  );

  it('should fail a cases file that no runner understands', { timeout: 60_000 }, async () => {
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({ files: { 'mystery-cases.safetensors': { bytes: 0, sha256: '', tensors: {} } } }),
    );
    const { status, lines } = referenceCheck(dir);
    expect(lines).toContainEqual(
      expect.stringMatching(/^mystery-cases\/\*.*FAIL {2}\(no runner for this file\)$/),
    );
    expect(status).toBe(1);
  });
});
