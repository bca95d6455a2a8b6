import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    files: ['**/*.ts'],
    languageOptions: {
      // Nest's dependency injection reads constructor parameter types at runtime (decorator
      // metadata): tell consistent-type-imports so it does not turn those imports into types.
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
  },
];
