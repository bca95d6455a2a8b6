import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReferenceRunner } from './reference-types.ts';

const RUNNERS_DIR = join(import.meta.dirname, 'runners');

/** Every runner module in ./runners (see reference-types.ts for the contract), keyed by file. */
export async function loadRunners(dir = RUNNERS_DIR): Promise<Map<string, ReferenceRunner>> {
  const runners = new Map<string, ReferenceRunner>();
  const listing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const names = listing.filter(
    (n) => /\.(ts|js)$/.test(n) && !/\.(spec|test)\.(ts|js)$/.test(n) && !n.endsWith('.d.ts'),
  );
  for (const name of names.sort()) {
    const mod = (await import(pathToFileURL(join(dir, name)).href)) as { runner?: ReferenceRunner };
    if (!mod.runner) throw new Error(`reference runner module ${name} exports no "runner"`);
    if (runners.has(mod.runner.file)) throw new Error(`two reference runners claim ${mod.runner.file}`);
    runners.set(mod.runner.file, mod.runner);
  }
  return runners;
}
