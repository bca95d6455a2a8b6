// The local stack's Kubernetes: the operator's test API server (operator/test/kube-api-server), which
// speaks the real REST, discovery and watch protocol, so kubectl works against it unchanged. It keeps
// its objects in memory: a restart of the stack starts it empty (jobs and videos stay in the API).
import { join } from 'node:path';
import { TEAM_ANNOTATION } from '@cineweave/contracts';
import { pickPort } from './ports.ts';
import { startProcess, type ManagedProcess } from './processes.ts';
import { waitForHttpOk } from './wait.ts';

export interface LocalKubernetes {
  url: string;
  /** A kubeconfig whose current context is the developer's namespace. */
  kubeconfig: string;
  namespace: string;
  process: ManagedProcess;
}

export async function startKubernetes(options: {
  root: string;
  stateDir: string;
  logFile: string;
  verbose: boolean;
  /** The namespace the kubeconfig points at; bindNamespace names its team once the API is up. */
  namespace: string;
}): Promise<LocalKubernetes> {
  const port = await pickPort(6443);
  const kubeconfig = join(options.stateDir, 'kubeconfig');
  const server = startProcess(
    'kubernetes',
    'node',
    [
      'operator/test/kube-api-server/main.ts',
      '--port',
      String(port),
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      options.namespace,
    ],
    { cwd: options.root, env: process.env, logFile: options.logFile, stream: options.verbose },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttpOk(`${url}/version`, { timeoutMs: 30_000, gaveUp: server.exited });
  await createNamespace(url, options.namespace);
  return { url, kubeconfig, namespace: options.namespace, process: server };
}

/**
 * The namespace VideoJobs are applied to. Created unbound: the team to charge exists only once the
 * API has made the developer's account (a VideoJob applied before then waits, NamespaceHasNoTeam).
 */
async function createNamespace(url: string, name: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/namespaces`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  });
  if (!response.ok && response.status !== 409) {
    throw new Error(
      `Could not create the namespace ${name}: HTTP ${response.status} ${await response.text()}`,
    );
  }
}

/** Binds the namespace to the developer's team (`kubectl annotate namespace <name> cineweave.io/team=<id>`). */
export async function bindNamespace(url: string, name: string, teamId: string): Promise<void> {
  const response = await fetch(`${url}/api/v1/namespaces/${name}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/merge-patch+json' },
    body: JSON.stringify({ metadata: { annotations: { [TEAM_ANNOTATION]: teamId } } }),
  });
  if (!response.ok) {
    throw new Error(
      `Could not annotate the namespace ${name}: HTTP ${response.status} ${await response.text()}`,
    );
  }
}
