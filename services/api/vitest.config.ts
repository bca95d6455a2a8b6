import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// Nest's dependency injection reads decorator metadata, which Vitest's default transform drops;
// SWC keeps it (legacy decorators + emitDecoratorMetadata, as tsconfig.app.json compiles them).
export default defineConfig({
  ...projectTestConfig('api', {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each own a database and a Redis prefix, but they share two cores.
    fileParallelism: false,
  }),
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
      },
    }),
  ],
});
