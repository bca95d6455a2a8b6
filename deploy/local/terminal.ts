/** One prefixed line per event, so the runner's own words stand apart from its children's. */
export function say(message: string): void {
  process.stdout.write(`[cineweave] ${message}\n`);
}

export function fail(message: string): never {
  process.stderr.write(`[cineweave] ${message}\n`);
  process.exit(1);
}
