import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.ts';

export default defineConfig(
  projectTestConfig('deploy', { include: ['local/**/*.spec.ts'], testTimeout: 120_000 }),
);
