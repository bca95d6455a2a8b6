#!/usr/bin/env node
// The `cineweave` command npm links. It runs the build (dist/); in a checkout where the CLI has not
// been built yet it runs the TypeScript sources instead (Node 24 strips types, and the
// `@cineweave/source` condition resolves the contracts to their sources), so `npx cineweave` works
// straight after `npm install`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (existsSync(built)) {
  const { main } = await import(built);
  process.exitCode = await main(process.argv);
} else {
  const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  // Ctrl-C reaches the child too, which stops and explains itself: this process waits for it.
  process.on('SIGINT', () => undefined);
  const child = spawnSync(
    process.execPath,
    [
      '--conditions=@cineweave/source',
      '--disable-warning=ExperimentalWarning',
      source,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  // Killed by a signal: 128 + its number, as a shell reports it.
  process.exitCode = child.status ?? 128 + (constants.signals[child.signal] ?? 0);
}
