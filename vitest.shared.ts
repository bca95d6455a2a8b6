import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

const workspaceRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Test settings every project shares: sources of workspace packages instead of their builds
 * (the `@cineweave/source` export condition), and a JSON report per project that
 * `npm test` sums into one closing line.
 */
export function projectTestConfig(project: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return {
    resolve: { conditions: ['@cineweave/source', 'module', 'node', 'default'] },
    ssr: { resolve: { conditions: ['@cineweave/source', 'node', 'default'] } },
    test: {
      name: project,
      environment: 'node',
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: `${workspaceRoot}tmp/test-results/${project}.json` },
      ...overrides,
    },
  };
}
