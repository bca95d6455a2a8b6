import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.ts';

// The stack suites start real processes (embedded Postgres, the whole stack once, Chromium): their
// files run one after another so they do not fight over two cores.
export default defineConfig(
  projectTestConfig('deploy', {
    include: ['local/**/*.spec.ts', 'test/**/*.spec.ts'],
    testTimeout: 120_000,
    fileParallelism: false,
  }),
);
