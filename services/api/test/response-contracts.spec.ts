import { globSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Type } from '@nestjs/common';
import { CONTROLLER_WATERMARK } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import { routeAnswersOf } from './support/json-routes.ts';

const sources = fileURLToPath(new URL('../src', import.meta.url));

/**
 * Every controller in the source tree, including those the app mounts only in some configurations
 * (TrueLayer's webhook): the app-wide walk in openapi-document.spec.ts sees only what the test app mounts.
 */
async function allControllers(): Promise<Type[]> {
  const files = globSync('**/*.controller.ts', { cwd: sources });
  const modules = await Promise.all(files.map((file) => import(`${sources}/${file}`) as Promise<object>));
  return modules.flatMap((exports) =>
    Object.values(exports).filter(
      (value): value is Type =>
        typeof value === 'function' && Reflect.getMetadata(CONTROLLER_WATERMARK, value) === true,
    ),
  );
}

describe('response contracts', () => {
  it('should declare a contracts schema on every route of every controller that answers JSON', async () => {
    const controllers = await allControllers();
    expect(controllers.length).toBeGreaterThan(15);
    const withoutContract = controllers
      .flatMap(routeAnswersOf)
      .filter((answer) => answer.answersJson && !answer.hasContract)
      .map(({ route }) => route);
    expect(withoutContract).toEqual([]);
  });
});
