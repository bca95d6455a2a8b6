import root from '../eslint.config.mjs';

export default [
  ...root,
  { ignores: ['e2e/screenshots'] },
  {
    // Tool configuration reaches the workspace root's shared config on purpose; it is not app code.
    files: ['*.config.mjs', '*.config.ts', 'e2e/**/*.ts', 'scripts/**/*.ts', 'scripts/**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
