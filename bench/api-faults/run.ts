// Fault run: the API's fault suite (services/api/test/faults-*.spec.ts and the bad-input table)
// with its randomized loops turned up, and the figures it measured gathered into one summary:
// API SIGKILLs survived, Postgres and Redis outages survived with their recovery times, the
// admission/grant storm's answers, bad inputs tried, and what was lost (nothing, or it fails).
//
//   node bench/api-faults/run.ts           # CI-sized counts (what `npm test` runs)
//   node bench/api-faults/run.ts --long    # 30 kills, 10 outages of each, a 400-round storm
//
// Needs what the API's tests need: Postgres on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (both
// only reached through the suite's own databases, prefixes and TCP proxies; never restarted).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    kills: { type: 'string' },
    outages: { type: 'string' },
    'outage-ms': { type: 'string' },
    'storm-rounds': { type: 'string' },
  },
});

const counts = {
  FAULTS_KILLS: values.kills ?? (values.long ? '30' : '4'),
  FAULTS_OUTAGES: values.outages ?? (values.long ? '10' : '1'),
  FAULTS_OUTAGE_MS: values['outage-ms'] ?? (values.long ? '10000' : '3000'),
  FAULTS_STORM_ROUNDS: values['storm-rounds'] ?? (values.long ? '400' : '40'),
};
const apiDir = join(import.meta.dirname, '..', '..', 'services', 'api');
const files = [
  'test/faults-kill.spec.ts',
  'test/faults-outage.spec.ts',
  'test/faults-settlement.spec.ts',
  'test/faults-edges.spec.ts',
  'test/bad-input-table.spec.ts',
];

console.log(`Fault run (${values.long ? 'long' : 'CI'}): ${JSON.stringify(counts)}`);
const started = Date.now();
const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
  const child = spawn('npx', ['vitest', 'run', ...files], {
    cwd: apiDir,
    env: { ...process.env, ...counts, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.on('exit', (code) => resolve({ code, text }));
});

// The suite prints one line per measured figure; they are the report.
const figures = output.text
  .split('\n')
  .map((line) => line.trim())
  .filter((line) =>
    /^(api kills:|postgres outage|redis outage|late result:|admission storm:|after \d+ hang-ups:|bad-input table:)/.test(
      line,
    ),
  );
const recoveries = (dependency: string) =>
  figures
    .filter((line) => line.startsWith(`${dependency} outage`))
    .map((line) => Number(/recovered ([\d.]+) s/.exec(line)?.[1]));
const summary = (numbers: number[]) =>
  numbers.length === 0
    ? 'none'
    : `${numbers.length} survived, recovery after restore: median ${median(numbers).toFixed(2)} s, max ${Math.max(...numbers).toFixed(2)} s`;

console.log('\nFigures, as measured:');
for (const line of figures.filter((l) => !/^(postgres|redis) outage/.test(l))) console.log(`  ${line}`);
console.log(`  postgres outages (${counts.FAULTS_OUTAGE_MS} ms each): ${summary(recoveries('postgres'))}`);
console.log(`  redis outages (${counts.FAULTS_OUTAGE_MS} ms each): ${summary(recoveries('redis'))}`);
const tests = /Tests\s+(.*)/.exec(output.text)?.[1] ?? 'unknown';
console.log(`\nTests: ${tests}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(
  output.code === 0
    ? 'Nothing lost: every accepted job found and settled once, ledger invariants held, no 5xx.'
    : 'FAILED: see the vitest output above.',
);
if (output.code !== 0) {
  console.log(output.text.slice(-8000));
  process.exitCode = 1;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
