// The model build Job: pulls the pinned official weights, then builds onto the model claim; run
// again with the model present, it does nothing. The last test runs the rendered command itself.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { podTemplates, type Container, type PodTemplate } from './support/pods.ts';
import { byKind, renderChart } from './support/render.ts';
import { repoRoot } from './support/tools.ts';

const run = promisify(execFile);
const REVISION = '921dbaf3f1674a56f47e83fb80a34bac8a8f203e';
const work = mkdtempSync(join(tmpdir(), 'cw-build-job-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function buildJob(
  args: string[] = [],
): Promise<{ name: string; pod: PodTemplate; container: Container }> {
  const objects = await renderChart('gpu-pool-values.yaml', args);
  const job = byKind(objects, 'Job').find((object) => object.metadata.name.includes('build-model'));
  if (!job) throw new Error('The chart rendered no build-model Job');
  const pod = podTemplates([job])[0].template;
  return { name: job.metadata.name, pod, container: pod.spec.containers[0] };
}

function commandOf(container: Container): string[] {
  const spec = container as Container & { command: string[]; args: string[] };
  return [...spec.command, ...spec.args];
}

describe('model build Job', () => {
  it('should pull the pinned commit of the official weights onto the model claim, then build there', async () => {
    // The GPU scenario names a weights claim; without one, the weights go beside the model.
    const { pod, container } = await buildJob([
      ...['--set', 'workers.model.build.weightsClaim='],
      ...['--set', 'workers.model.build.weightsSubPath='],
    ]);
    expect(commandOf(container)).toEqual([
      ...['npm', 'run', '--silent', '--workspace', 'models/wan22', 'install-model', '--'],
      ...['--repo', 'Wan-AI/Wan2.2-TI2V-5B', '--revision', REVISION],
      ...['--weights', '/models/wan2.2-ti2v-5b/.hub/Wan2.2-TI2V-5B', '--out', '/models/wan2.2-ti2v-5b'],
      ...['--precision', 'fp16', '--target', 'cuda'],
    ]);
    expect(container.env?.map((variable) => variable.name)).toEqual(['HOME', 'npm_config_cache']);
    expect(container.volumeMounts).toEqual([
      { name: 'model', mountPath: '/models/wan2.2-ti2v-5b' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.spec.volumes).toContainEqual({
      name: 'model',
      persistentVolumeClaim: { claimName: 'cw-cineweave-models' },
    });
  });

  it('should take the mirror endpoint and the token Secret from the values', async () => {
    const { container } = await buildJob([
      ...['--set', 'workers.model.build.pull.endpoint=https://hf-mirror.example.com'],
      ...['--set', 'workers.model.build.pull.tokenSecret.name=hf-token'],
    ]);
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'HF_ENDPOINT', value: 'https://hf-mirror.example.com' },
        { name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'HF_TOKEN' } } },
      ]),
    );
  });

  it('should pull to a weights claim of its own when one is named, and build from it read-only when pull is off', async () => {
    // ci/gpu-pool-values.yaml: weightsClaim wan22-official-weights, weightsSubPath Wan2.2-TI2V-5B.
    const pulling = await buildJob();
    expect(commandOf(pulling.container)).toContain('/weights/Wan2.2-TI2V-5B');
    expect(pulling.container.volumeMounts).toContainEqual({
      name: 'weights',
      mountPath: '/weights',
      readOnly: false,
    });

    const local = await buildJob([
      ...['--set', 'workers.model.build.pull.enabled=false'],
      ...['--set', 'workers.model.build.weightsClaim=wan-weights'],
    ]);
    expect(commandOf(local.container).slice(0, 9)).toEqual([
      ...['npm', 'run', '--silent', '--workspace', 'models/wan22', 'build-model', '--'],
      ...['--from', '/weights/Wan2.2-TI2V-5B'],
    ]);
    expect(local.container.volumeMounts).toContainEqual({
      name: 'weights',
      mountPath: '/weights',
      readOnly: true,
    });
    expect(local.pod.spec.volumes).toContainEqual({
      name: 'weights',
      persistentVolumeClaim: { claimName: 'wan-weights', readOnly: true },
    });
  });

  it('should get a new name for a new commit, and keep its name for another mirror or token', async () => {
    const base = (await buildJob()).name;
    const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    expect((await buildJob(['--set', `workers.model.build.pull.revision=${other}`])).name).not.toBe(base);
    expect(
      (await buildJob(['--set', 'workers.model.build.pull.endpoint=https://hf-mirror.example.com'])).name,
    ).toBe(base);
  });

  it('should refuse a revision that is not a commit', async () => {
    await expect(
      renderChart('gpu-pool-values.yaml', ['--set', 'workers.model.build.pull.revision=main']),
    ).rejects.toThrow(/revision.*does not match pattern/s);
  });

  it('should let the Job reach the hub, and nothing in the cluster', async () => {
    const objects = await renderChart('gpu-pool-values.yaml');
    const policy = byKind(objects, 'NetworkPolicy').find((object) =>
      object.metadata.name.endsWith('build-model'),
    );
    const spec = policy?.['spec'] as {
      ingress?: unknown;
      egress: { to: { ipBlock?: { except?: string[] } }[] }[];
    };
    expect(spec.ingress ?? null).toBeNull();
    expect(spec.egress).toHaveLength(1);
    expect(spec.egress[0].to.every((peer) => peer.ipBlock?.except?.length)).toBe(true);
  });

  it(
    'should do nothing when run again with the model already built from that commit',
    { timeout: 120_000 },
    async () => {
      // The rendered Job's own command, with the model claim at a local directory that already holds
      // a model built from the pinned commit, and a hub endpoint where nothing listens: it must
      // neither download nor build, nor even ask the hub.
      const modelDir = join(work, 'model');
      await run(process.execPath, [
        join(repoRoot, 'models/wan22/src/cli/build-model.ts'),
        '--tiny',
        '--out',
        modelDir,
      ]);
      const manifestPath = join(modelDir, 'model.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(
        manifestPath,
        JSON.stringify({
          ...manifest,
          source: `hf:Wan-AI/Wan2.2-TI2V-5B@${REVISION}`,
          precision: 'fp16',
          target: 'cuda',
        }),
      );
      const { container } = await buildJob([
        ...['--set', `workers.model.mountPath=${modelDir}`],
        ...['--set', 'workers.model.build.pull.endpoint=http://127.0.0.1:9'],
      ]);
      const [command, ...args] = commandOf(container);
      const env = Object.fromEntries(
        (container.env ?? []).map((variable) => [variable.name, variable.value ?? '']),
      );
      const { stdout } = await run(command, args, {
        cwd: repoRoot,
        env: { PATH: process.env['PATH'] ?? '', ...env, HOME: work, npm_config_cache: join(work, '.npm') },
      });
      expect(stdout).toContain(
        `${modelDir} already holds Wan-AI/Wan2.2-TI2V-5B@${REVISION} (fp16, cuda): nothing to do`,
      );
      expect(JSON.parse(readFileSync(manifestPath, 'utf8'))).toMatchObject({
        precision: 'fp16',
        target: 'cuda',
      });
    },
  );
});
