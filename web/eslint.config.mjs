import root from '../eslint.config.mjs';

export default [
  ...root,
  // e2e/ is its own project (web-e2e), linted by its own config.
  { ignores: ['e2e/**'] },
  {
    // Tool configuration reaches the workspace root's shared config on purpose; it is not app code.
    files: ['*.config.mjs', '*.config.ts', 'scripts/**/*.ts', 'scripts/**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // A spec that reaches for an element it just rendered should fail loudly if it is missing.
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
