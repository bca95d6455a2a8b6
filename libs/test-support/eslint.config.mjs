import root, { moduleBoundaries } from '../../eslint.config.mjs';

/**
 * The stack helper creates the suites' databases and clears their Redis keys: test-only code may
 * use the Postgres and Redis clients that the shared tag keeps out of the contracts.
 */
export default [
  ...root,
  {
    files: ['**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['pg', 'ioredis']) },
  },
];
