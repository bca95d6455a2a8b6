import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { byKind, parseObjects } from './support/render.ts';
import { helm, kubectlBin, repoRoot } from './support/tools.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'cineweave-chart-'));
const kubeconfig = join(dir, 'kubeconfig');
const exampleVideoJob = `${repoRoot}deploy/examples/videojob.yaml`;
let server: ChildProcess | undefined;

/** The operator's test Kubernetes API server, standalone, as a person would run it. */
async function startKubeTestServer(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@cineweave/source',
      'operator/test/kube-api-server/main.ts',
      '--port',
      '0',
      '--kubeconfig',
      kubeconfig,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the test API server did not start:\n${output}`)),
      60_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Wrote kubeconfig')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the test API server exited with ${code}:\n${output}`)));
  });
  return child;
}

function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: dir },
  });
}

describe('kubectl against the test Kubernetes API server', () => {
  beforeAll(async () => {
    server = await startKubeTestServer();
  });
  afterAll(() => {
    server?.kill('SIGTERM');
  });

  it('should apply the rendered CRDs, the default WorkerPool and the example VideoJob', async () => {
    const { stdout } = await helm([
      'template',
      'cw',
      '.',
      '--include-crds',
      '--values',
      'ci/default-values.yaml',
    ]);
    const objects = parseObjects(stdout);
    const crds = byKind(objects, 'CustomResourceDefinition');
    expect(crds.map((crd) => crd.metadata.name).sort()).toEqual([
      'videojobs.cineweave.io',
      'workerpools.cineweave.io',
    ]);
    writeFileSync(join(dir, 'crds.yaml'), crds.map((crd) => stringify(crd)).join('---\n'));
    writeFileSync(
      join(dir, 'pools.yaml'),
      byKind(objects, 'WorkerPool')
        .map((pool) => stringify(pool))
        .join('---\n'),
    );

    const applied = await kubectl(
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(dir, 'crds.yaml'),
    );
    expect(applied.stdout).toMatch(
      /customresourcedefinition.apiextensions.k8s.io\/videojobs.cineweave.io serverside-applied/,
    );
    await kubectl(
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd/videojobs.cineweave.io',
      'crd/workerpools.cineweave.io',
    );

    const pool = await kubectl('apply', '-n', 'default', '-f', join(dir, 'pools.yaml'));
    expect(pool.stdout).toContain('workerpool.cineweave.io/default created');

    const job = await kubectl('apply', '-n', 'default', '-f', exampleVideoJob);
    const name = (parse(readFileSync(exampleVideoJob, 'utf8')) as { metadata: { name: string } }).metadata
      .name;
    expect(job.stdout).toContain(`videojob.cineweave.io/${name} created`);

    const { stdout: json } = await kubectl('get', 'vj', name, '-n', 'default', '-o', 'json');
    // Defaults come from the CRD's structural schema, so the server really used the applied CRD.
    expect((JSON.parse(json) as { spec: { model: string } }).spec.model).toBe('wan2.2-ti2v-5b');
    const { stdout: table } = await kubectl('get', 'workerpools', '-n', 'default');
    expect(table).toMatch(/^NAME\s+DESIRED\s+READY\s+BACKLOG\s+AGE/);
  });

  it('should apply the H100 WorkerPool example when the CRDs are installed', async () => {
    const { stdout } = await kubectl(
      'apply',
      '-n',
      'default',
      '-f',
      `${repoRoot}deploy/examples/workerpool-h100.yaml`,
    );
    expect(stdout).toContain('workerpool.cineweave.io/h100 created');
  });

  it('should apply the vLLM-Omni pool of its scenario, and show its engine with -o wide', async () => {
    const { stdout } = await helm([
      'template',
      'cw',
      '.',
      '--namespace',
      'cineweave',
      '--values',
      'ci/vllm-omni-values.yaml',
    ]);
    const pools = byKind(parseObjects(stdout), 'WorkerPool');
    writeFileSync(join(dir, 'vllm-omni.yaml'), pools.map((pool) => stringify(pool)).join('---\n'));
    const applied = await kubectl('apply', '-n', 'default', '-f', join(dir, 'vllm-omni.yaml'));
    expect(applied.stdout).toContain('workerpool.cineweave.io/vllm-omni created');
    const { stdout: wide } = await kubectl('get', 'workerpool', 'vllm-omni', '-n', 'default', '-o', 'wide');
    expect(wide).toMatch(/^NAME\s+MODEL\s+DESIRED\s+READY\s+BACKLOG\s+ENGINE\s+MIN\s+MAX\s+AGE/);
    expect(wide).toMatch(/\nvllm-omni\s+wan2\.2-ti2v-5b\s+openai-videos\s+0\s+4\s/);
  });

  it.each([
    'default-values.yaml',
    'gpu-pool-values.yaml',
    'external-services-values.yaml',
    'vllm-omni-values.yaml',
  ])(
    'should pass a server-side dry run of every built-in object rendered with ci/%s (Kubernetes 1.29 schema)',
    async (values) => {
      const { stdout } = await helm([
        'template',
        'cw',
        '.',
        '--namespace',
        'cineweave',
        '--values',
        `ci/${values}`,
      ]);
      // ServiceMonitor and PrometheusRule belong to the Prometheus operator's CRDs; WorkerPools to ours.
      const builtins = parseObjects(stdout).filter(
        (object) =>
          !object.apiVersion.startsWith('monitoring.coreos.com/') &&
          !object.apiVersion.startsWith('cineweave.io/'),
      );
      expect(builtins.length).toBeGreaterThan(20);
      writeFileSync(
        join(dir, 'namespace.yaml'),
        stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cineweave' } }),
      );
      await kubectl('apply', '-f', join(dir, 'namespace.yaml'));
      // Each document as JSON (valid YAML whose strings are all quoted): kubectl reads YAML 1.1, where
      // a plain `yes` written back by a YAML 1.2 library would become a boolean.
      writeFileSync(
        join(dir, `release-${values}.yaml`),
        builtins.map((object) => JSON.stringify(object)).join('\n---\n'),
      );
      // The test API server enforces the minimum version's schema: unknown fields fail a
      // server-side apply, alpha fields that are off there are refused.
      const { stdout: applied } = await kubectl(
        'apply',
        '--server-side',
        '--dry-run=server',
        '-n',
        'cineweave',
        '-f',
        join(dir, `release-${values}.yaml`),
      );
      expect(applied.trim().split('\n')).toHaveLength(builtins.length);
    },
  );

  it('should refuse a WorkerPool outside the CRD schema when applied', async () => {
    const bad = {
      apiVersion: 'cineweave.io/v1alpha1',
      kind: 'WorkerPool',
      metadata: { name: 'bad' },
      spec: { maxReplicas: -1 },
    };
    writeFileSync(join(dir, 'bad.yaml'), stringify(bad));
    await expect(kubectl('apply', '-n', 'default', '-f', join(dir, 'bad.yaml'))).rejects.toThrow(
      /maxReplicas/,
    );
  });
});
