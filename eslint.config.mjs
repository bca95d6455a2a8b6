import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * Module boundaries by tag (see ../shared/CONVENTIONS.md): contracts import only themselves;
 * every other scope imports itself and contracts. No wildcard rules: a project without a
 * scope tag may import nothing from the workspace.
 */
const depConstraints = [
  {
    sourceTag: 'scope:shared',
    onlyDependOnLibsWithTags: ['scope:shared'],
    // Contracts are read by the portal, the API, the worker and the operator alike: no runtime
    // of any one of them may leak in.
    bannedExternalImports: [
      '@nestjs/*',
      '@angular/*',
      '@kubernetes/*',
      'typeorm',
      'bullmq',
      'ioredis',
      'pg',
      'rxjs',
    ],
  },
  // The worker renders through a model project (models/*); a model project knows nothing of the
  // platform around it: no queue, database or object store, only the contracts.
  {
    sourceTag: 'scope:backend',
    onlyDependOnLibsWithTags: ['scope:backend', 'scope:model', 'scope:shared'],
  },
  {
    sourceTag: 'scope:model',
    onlyDependOnLibsWithTags: ['scope:shared'],
    bannedExternalImports: [
      '@nestjs/*',
      '@angular/*',
      '@kubernetes/*',
      'bullmq',
      'ioredis',
      'minio',
      'pg',
      'typeorm',
    ],
  },
  { sourceTag: 'scope:operator', onlyDependOnLibsWithTags: ['scope:operator', 'scope:shared'] },
  { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['scope:frontend', 'scope:shared'] },
  { sourceTag: 'scope:deploy', onlyDependOnLibsWithTags: ['scope:deploy', 'scope:shared'] },
  // The CLI speaks to the API over HTTP only: it shares the contracts, never the API's code.
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
  // bench/ times code of every other project: it may use each scope, named one by one (no wildcard).
  {
    sourceTag: 'scope:bench',
    onlyDependOnLibsWithTags: [
      'scope:bench',
      'scope:shared',
      'scope:backend',
      'scope:operator',
      'scope:frontend',
      'scope:deploy',
    ],
  },
];

/** The rule with these constraints; `allow` lists imports exempt from it (see bench/eslint.config.mjs). */
export function moduleBoundaries(allow = []) {
  return ['error', { enforceBuildableLibDependency: false, allow, depConstraints }];
}

export default [
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/out-tsc',
      '**/coverage',
      '**/.angular',
      '.nx',
      '.tools',
      '.cineweave',
      'tmp',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(),
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Project config files import the workspace-level presets (vitest.shared.ts, this file):
    // tooling, not product code, so the boundaries between projects do not apply.
    files: ['**/eslint.config.mjs', '**/vitest.config.ts', '**/vite.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
];
