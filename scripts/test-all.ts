// `npm test`: every project's lint, typecheck and tests through Nx, then one closing line that
// sums the tests. (Lint and typecheck report no counts; when one fails, the run fails.)
//
// Each project's Vitest run writes a JSON report to tmp/test-results/<project>.json
// (see vitest.shared.ts); projects with other runners write the same Jest-style shape.
// The closing line is `N passed, N failed, N skipped`, which CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

interface JestStyleReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests?: number;
  success: boolean;
}

const root = join(import.meta.dirname, '..');
const resultsDir = join(root, 'tmp', 'test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const extraArgs = process.argv.slice(2);

// Formatting drifts silently otherwise; the tree is checked as a whole before any project runs.
const format = spawnSync('npx', ['prettier', '--check', '--log-level=warn', '.'], {
  cwd: root,
  stdio: 'inherit',
});
if (format.status !== 0) console.log('prettier --check failed: run `npm run format` and commit the result.');
const nx = spawnSync(
  'npx',
  [
    'nx',
    'run-many',
    '-t',
    'lint',
    'typecheck',
    'test',
    '--outputStyle=stream',
    '--skipNxCache',
    ...extraArgs,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '0' },
  },
);

const totals = { passed: 0, failed: 0, skipped: 0 };
console.log('\nTest results by project:');
for (const file of existsSync(resultsDir) ? readdirSync(resultsDir).sort() : []) {
  if (!file.endsWith('.json')) continue;
  const report = JSON.parse(readFileSync(join(resultsDir, file), 'utf8')) as JestStyleReport;
  const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += skipped;
  console.log(
    `  ${file.replace(/\.json$/, '').padEnd(14)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
  );
}

const nxFailed = nx.status !== 0 || format.status !== 0;
if (nxFailed && totals.failed === 0) {
  // A project can fail before any test runs (a syntax error, a missing service):
  // count it so the closing line never claims a clean run.
  totals.failed += 1;
  console.log(
    '  (a lint, typecheck or test target failed without reporting test results: see its output above)',
  );
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(nxFailed || totals.failed > 0 ? 1 : 0);
