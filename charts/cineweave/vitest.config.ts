import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

export default defineConfig(
  projectTestConfig('chart', {
    include: ['test/**/*.spec.ts', 'scripts/**/*.spec.ts'],
    globalSetup: ['test/support/install-tools.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  }),
);
