import { ESLint } from 'eslint';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// The model project imports the contracts and nothing else of the platform; the worker may import
// it. Each snippet is linted as a file of the named project with the root eslint.config.mjs.
const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: workspaceRoot });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, {
    filePath: `${workspaceRoot}${filePath}`,
  });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('the model project’s boundaries', () => {
  beforeAll(() => {
    // The rule reads Nx's project graph and lets everything pass without one: compute it first.
    execFileSync('npx', ['nx', 'show', 'projects'], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
  }, 120_000);

  it.each([
    ['the worker', "import '@cineweave/gpu-worker';"],
    ['the API', "import '@cineweave/api';"],
    ['the queue', "import 'bullmq';"],
    ['the object store', "import 'minio';"],
  ])('should fail lint when it imports %s', { timeout: 60_000 }, async (_what, code) => {
    expect(await boundaryErrors('models/wan22/src/forbidden.ts', code)).toHaveLength(1);
  });

  it('should let it import the contracts, and the worker import it', { timeout: 60_000 }, async () => {
    expect(await boundaryErrors('models/wan22/src/allowed.ts', "import '@cineweave/contracts';")).toEqual([]);
    expect(await boundaryErrors('services/gpu-worker/src/allowed.ts', "import '@cineweave/wan22';")).toEqual(
      [],
    );
  });
});
