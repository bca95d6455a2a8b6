import root from '../../eslint.config.mjs';

export default [
  ...root,
  { ignores: ['screenshots'] },
  {
    // The suite drives the built portal and starts the API and worker as processes: it reaches the
    // portal's server and the workspace's shared test config by path, never their code.
    files: ['**/*.ts', '**/*.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
