import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// One stack (Postgres database, Redis prefix, S3, API, CPU worker, portal) for the whole run,
// started by the global setup; the scenarios run one after another in one browser.
export default defineConfig(
  projectTestConfig('web-e2e', {
    include: ['src/**/*.e2e.spec.ts'],
    globalSetup: ['src/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  }),
);
