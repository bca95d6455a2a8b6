import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { podTemplates } from './support/pods.ts';
import { renderChart } from './support/render.ts';
import { repoRoot } from './support/tools.ts';

/**
 * The Dockerfiles cannot be built here (no Docker engine), so these tests hold them to the chart:
 * same image names, the uid the pods run as, the ports the probes use, entry points that the
 * project's build produces.
 */
const IMAGES = [
  { component: 'api', dir: 'services/api', pod: 'Deployment/cw-cineweave-api', uid: 1000, port: 3000 },
  { component: 'operator', dir: 'operator', pod: 'Deployment/cw-cineweave-operator', uid: 1000, port: 9464 },
  { component: 'web', dir: 'web', pod: 'Deployment/cw-cineweave-web', uid: 101, port: 8080 },
  { component: 'gpu-worker', dir: 'services/gpu-worker', pod: undefined, uid: 1000, port: 9464 },
];

/** The final stage of a Dockerfile, its instructions by keyword (continuation lines joined). */
function finalStage(dockerfile: string): {
  from: string;
  user?: string;
  expose?: string;
  cmd?: string;
  text: string;
} {
  const text = dockerfile.replace(/\\\n/g, ' ');
  const stage = text.slice(text.lastIndexOf('\nFROM '));
  const last = (keyword: string) =>
    [...stage.matchAll(new RegExp(`^${keyword} (.+)$`, 'gm'))].pop()?.[1].trim();
  return {
    from: last('FROM') ?? '',
    user: last('USER'),
    expose: last('EXPOSE'),
    cmd: last('CMD'),
    text: stage,
  };
}

describe('Dockerfiles', () => {
  it.each(IMAGES)(
    'should run $component as the uid and port the chart expects',
    async ({ dir, pod, uid, port }) => {
      const stage = finalStage(readFileSync(`${repoRoot}${dir}/Dockerfile`, 'utf8'));
      expect(stage.user?.split(':')[0]).toBe(String(uid));
      expect(stage.expose).toBe(String(port));
      if (!pod) return;
      const template = podTemplates(await renderChart('default-values.yaml')).find(
        (entry) => entry.name === pod,
      )?.template;
      expect(template?.spec.securityContext?.['runAsUser']).toBe(uid);
      expect(template?.spec.containers[0].ports?.[0].containerPort).toBe(port);
    },
  );

  it.each(IMAGES.filter((image) => image.component !== 'web'))(
    'should start $component from the file its tsc build writes',
    ({ dir }) => {
      const cmd = JSON.parse(
        finalStage(readFileSync(`${repoRoot}${dir}/Dockerfile`, 'utf8')).cmd ?? '[]',
      ) as string[];
      expect(cmd).toEqual(['node', `${dir}/dist/main.js`]);
      const tsconfig = JSON.parse(readFileSync(`${repoRoot}${dir}/tsconfig.app.json`, 'utf8')) as {
        compilerOptions: { rootDir: string; outDir: string };
      };
      expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
      expect(existsSync(`${repoRoot}${dir}/src/main.ts`)).toBe(true);
    },
  );

  it('should build the GPU worker on CUDA 12 + cuDNN 9 with onnxruntime-node for CUDA 12 and ffmpeg', () => {
    const dockerfile = readFileSync(`${repoRoot}services/gpu-worker/Dockerfile`, 'utf8');
    expect(dockerfile).toMatch(/ARG CUDA_IMAGE=nvidia\/cuda:12\.[0-9.]+-cudnn-runtime-/);
    expect(finalStage(dockerfile).text).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(finalStage(dockerfile).text).toMatch(/apt-get install .*ffmpeg/);
  });

  it('should let the migration Job run db:migrate from the API image', () => {
    const pkg = JSON.parse(readFileSync(`${repoRoot}services/api/package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['db:migrate']).toMatch(/dist\//);
    expect(finalStage(readFileSync(`${repoRoot}services/api/Dockerfile`, 'utf8')).text).toContain(
      'services/api/dist',
    );
  });

  it('should build and push the images under the names the chart pulls', () => {
    const workflow = parse(readFileSync(`${repoRoot}.github/workflows/ci.yaml`, 'utf8')) as {
      jobs: { images: { strategy: { matrix: { include: { component: string; dockerfile: string }[] } } } };
    };
    const matrix = workflow.jobs.images.strategy.matrix.include;
    expect(matrix).toEqual(
      IMAGES.map(({ component, dir }) => ({ component, dockerfile: `${dir}/Dockerfile` })).sort((a, b) =>
        a.component < b.component ? -1 : 1,
      ),
    );
  });
});
