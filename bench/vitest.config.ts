import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.ts';

// Benches print figures and are not tests; only their dry runs are, so CI keeps them working.
export default defineConfig(projectTestConfig('bench', { include: ['**/*.spec.ts'] }));
