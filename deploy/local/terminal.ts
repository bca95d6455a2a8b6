// What `npm run up` says: one line per step or service, so the Ready block stays in view. The
// services' own output goes to log files (see processes.ts); `--verbose` streams it here too.

/** A line about the stack as a whole. */
export function say(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** One line for a part of the stack that is up: `  ✓ Postgres     embedded on 127.0.0.1:54329`. */
export function up(part: string, detail: string): void {
  process.stdout.write(`  ✓ ${part.padEnd(11)} ${detail}\n`);
}

/** One line for a step under way: `  … Building api, web (first run: a few minutes)`. */
export function working(message: string): void {
  process.stdout.write(`  … ${message}\n`);
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
