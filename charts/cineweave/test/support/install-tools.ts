import { installTools } from './tools.ts';

/** Vitest global setup: the helm and kubectl binaries, before any chart test runs. */
export default async function setup(): Promise<void> {
  await installTools();
}
