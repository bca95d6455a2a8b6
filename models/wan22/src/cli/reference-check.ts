// reference-check --dir DIR [--only NAME]...
// Builds the graphs from the weights in DIR, runs every case its index.json lists, prints one line
// per case (name, max abs error, tolerance, PASS/FAIL) and `N passed, N failed`; exit 0 only if all pass.
import { parseArgs } from 'node:util';
import { formatLine, referenceCheck } from '../reference/reference-check.ts';

const usage = `usage: reference-check --dir <reference dir with index.json> [--only <file name part>]...
                       [--precision fp32|fp16] [--provider cpu|cuda]
  fp32/cpu (default) uses index.json's tolerances; fp16 and/or cuda check the CUDA graphs of the
  umT5 and DiT runners against 1e-2 of each reference tensor's range (run this on a GPU node).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      only: { type: 'string', multiple: true },
      precision: { type: 'string', default: 'fp32' },
      provider: { type: 'string', default: 'cpu' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const precision = values.precision;
  const provider = values.provider;
  if (
    !values.dir ||
    (precision !== 'fp32' && precision !== 'fp16') ||
    (provider !== 'cpu' && provider !== 'cuda')
  ) {
    console.error(usage);
    return 2;
  }
  const report = await referenceCheck(values.dir, {
    only: values.only,
    variant: { precision, provider },
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
