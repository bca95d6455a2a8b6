// reference-check --dir DIR [--only NAME]...
// Builds the graphs from the weights in DIR, runs every case its index.json lists, prints one line
// per case (name, max abs error, tolerance, PASS/FAIL) and `N passed, N failed`; exit 0 only if all pass.
import { parseArgs } from 'node:util';
import { formatLine, referenceCheck } from '../reference/reference-check.ts';

const usage = 'usage: reference-check --dir <reference dir with index.json> [--only <file name part>]...';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, only: { type: 'string', multiple: true }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.dir) {
    console.error(usage);
    return 2;
  }
  const report = await referenceCheck(values.dir, {
    only: values.only,
    onLine: (line) => console.log(formatLine(line)),
  });
  console.log(`${report.passed} passed, ${report.failed} failed`);
  return report.failed === 0 && report.passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`reference-check: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
