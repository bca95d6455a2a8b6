import root, { moduleBoundaries } from '../eslint.config.mjs';

/**
 * A benchmark times code where it lives: bench/ imports these sources by path, which the rule
 * otherwise forbids across projects (and for any application). Nothing else is exempt.
 */
const reachedByPath = [
  '../../services/api/src/**',
  '../../services/gpu-worker/src/**',
  '../../models/wan22/src/**',
  '../../operator/src/**',
  '../../operator/test/**',
  '../../models/wan22/bench/**',
];

export default [
  ...root,
  {
    files: ['**/*.ts'],
    // The root config's exemption of project config files (vitest.config.ts) stays in force.
    ignores: ['vitest.config.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(reachedByPath) },
  },
];
