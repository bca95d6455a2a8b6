import { rmSync } from 'node:fs';
import { installTools, renderCacheDir } from './tools.ts';

/** Vitest global setup: the helm and kubectl binaries, and an empty render cache for this run. */
export default async function setup(): Promise<void> {
  rmSync(renderCacheDir, { recursive: true, force: true });
  await installTools();
}
