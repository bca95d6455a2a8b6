import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.ts';

export default defineConfig(
  projectTestConfig('cli', {
    // The end-to-end suite starts the API and a worker once; it is one file, run alone.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  }),
);
