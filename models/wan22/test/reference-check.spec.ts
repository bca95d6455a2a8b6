import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLine, referenceCheck } from '../src/reference/reference-check.ts';
import { loadRunners } from '../src/reference/registry.ts';
import type { ReferenceIndex } from '../src/reference/reference-types.ts';

const fixtures = join(import.meta.dirname, 'fixtures', 'wan22');
const index = JSON.parse(readFileSync(join(fixtures, 'index.json'), 'utf8')) as ReferenceIndex;
const runners = await loadRunners();

// The same check `npm run reference-check -- --dir test/fixtures/wan22` runs, one test per reference
// file that has a runner (weights files have none), printing every case's max abs error. The CLI
// additionally fails on a *-cases file without a runner.
describe('reference-check on the Wan 2.2 fixtures', () => {
  for (const file of Object.keys(index.files).filter((f) => runners.has(f))) {
    it(`should reproduce every case of ${file} within tolerance`, { timeout: 240_000 }, async () => {
      const report = await referenceCheck(fixtures, { only: [file], runners });
      for (const line of report.lines) console.log(formatLine(line));
      expect(report.lines.length).toBeGreaterThan(0);
      expect(report.lines.filter((l) => !l.passed).map(formatLine)).toEqual([]);
    });
  }
});
