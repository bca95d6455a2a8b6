import { ESLint } from 'eslint';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Proves that the workspace's module-boundary rules bite: each snippet is linted as if it
// were a file of the named project, with the root eslint.config.mjs.
const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: workspaceRoot });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${workspaceRoot}${filePath}` });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('module boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's cached project graph and passes everything when there is none
    // (a fresh clone): compute it first, as `nx lint` would.
    execFileSync('npx', ['nx', 'show', 'projects'], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
  }, 120_000);

  it.each([
    ['contracts importing the API', 'libs/contracts/src/forbidden.ts', "import '@cineweave/api';"],
    ['contracts importing NestJS', 'libs/contracts/src/forbidden.ts', "import '@nestjs/common';"],
    [
      'contracts importing the Kubernetes client',
      'libs/contracts/src/forbidden.ts',
      "import '@kubernetes/client-node';",
    ],
    ['the portal importing the API', 'web/src/forbidden.ts', "import '@cineweave/api';"],
    ['the operator importing the worker', 'operator/src/forbidden.ts', "import '@cineweave/gpu-worker';"],
    ['the API importing the operator', 'services/api/src/forbidden.ts', "import '@cineweave/operator';"],
    ['the API importing the portal', 'services/api/src/forbidden.ts', "import '@cineweave/web';"],
    [
      'the portal reaching into the API by path',
      'web/src/forbidden.ts',
      "import '../../services/api/src/main.ts';",
    ],
  ])('should fail lint for %s', { timeout: 60_000 }, async (_case, filePath, code) => {
    const errors = await boundaryErrors(filePath, `${code}\nexport {};\n`);
    expect(errors).toHaveLength(1);
  });

  it.each([
    ['the API importing contracts', 'services/api/src/allowed.ts'],
    ['the portal importing contracts', 'web/src/allowed.ts'],
    ['the operator importing contracts', 'operator/src/allowed.ts'],
    ['the worker importing contracts', 'services/gpu-worker/src/allowed.ts'],
  ])('should pass lint for %s', { timeout: 60_000 }, async (_case, filePath) => {
    const errors = await boundaryErrors(
      filePath,
      "import { QUEUE_NAMES } from '@cineweave/contracts';\nexport const q = QUEUE_NAMES;\n",
    );
    expect(errors).toEqual([]);
  });
});
