import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import { parseModelManifest, type ModelManifest } from '../src/manifest/model-manifest.ts';
import { sha256File } from '../src/onnx/model-writer.ts';
import { createSession, f32, i64, runSession, type OrtSession } from '../src/onnx/session.ts';

const cli = join(import.meta.dirname, '../src/cli/build-model.ts');

describe('build-model --tiny', () => {
  let dir: string;
  let manifest: ModelManifest;
  let seconds: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tiny-model-'));
    const started = performance.now();
    const run = spawnSync(process.execPath, [cli, '--tiny', '--out', join(dir, 'cpu')], { encoding: 'utf8' });
    seconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`build-model failed: ${run.stderr}`);
    manifest = parseModelManifest(JSON.parse(await readFile(join(dir, 'cpu', 'model.json'), 'utf8')));
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should finish in under 30 seconds when run from the command line', () => {
    expect(seconds).toBeLessThan(30);
  });

  it('should record files whose sha256 match what was written', { timeout: 30_000 }, async () => {
    const files = [
      ...Object.values(manifest.components).flatMap((c) => c.files),
      ...manifest.tokenizer.files.map((f) => ({ ...f, path: join(manifest.tokenizer.dir, f.path) })),
    ];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) expect(await sha256File(join(dir, 'cpu', file.path))).toBe(file.sha256);
    expect(manifest.defaults).toMatchObject({
      width: 1280,
      height: 704,
      frames: 121,
      fps: 24,
      steps: 50,
      shift: 5,
      guidanceScale: 5,
    });
    expect(manifest.defaults.negativePrompt).toMatch(/^色调艳丽/);
    expect(manifest.dims).toMatchObject({
      zDim: 48,
      vaeStride: [4, 16, 16],
      patchSize: [1, 2, 2],
      textLen: 512,
    });
  });

  it(
    'should load every graph in onnxruntime and run the text encoder and the DiT on CPU',
    { timeout: 30_000 },
    async () => {
      const open = (name: keyof ModelManifest['components']): Promise<OrtSession> =>
        createSession(join(dir, 'cpu', manifest.components[name].model));
      const [t5, dit] = [await open('textEncoder'), await open('dit')];
      await open('vaeEncoder');
      await open('vaeDecoder');
      const ids = new BigInt64Array(512);
      const mask = new BigInt64Array(512);
      ids.set([17n, 42n, 1n]);
      mask.set([1n, 1n, 1n]);
      const context = (await runSession(t5, { ids: i64([1, 512], ids), mask: i64([1, 512], mask) }))['out'];
      const dim = manifest.dims.textDim;
      const x = Float32Array.from({ length: 48 * 2 * 4 * 4 }, (_, i) => Math.sin(i));
      const out = await runSession(dit, {
        x: f32([48, 2, 4, 4], x),
        t: f32([8], new Float32Array(8).fill(500)),
        context: f32([3, dim], (context.data as Float32Array).slice(0, 3 * dim)),
      });
      expect(out['out'].dims).toEqual([48, 2, 4, 4]);
      expect((out['out'].data as Float32Array).every(Number.isFinite)).toBe(true);
    },
  );

  it('should write byte-identical graphs when built twice with the same seed', async () => {
    const again = await buildModel({
      out: join(dir, 'again'),
      precision: 'fp32',
      target: 'cpu',
      source: { kind: 'tiny' },
    });
    expect(again.components).toEqual(manifest.components);
  }, 60_000);

  it('should build a CUDA fp16 variant with fused attention that onnxruntime can load', async () => {
    const cuda = await buildModel({
      out: join(dir, 'cuda'),
      precision: 'fp16',
      target: 'cuda',
      source: { kind: 'tiny' },
    });
    expect(cuda.components.dit.precision).toBe('fp16');
    // The CUDA decoder takes 8 latent frames per call, the CPU one 1 (see defaultVaeFramesPerCall).
    expect(cuda.components.vaeDecoder.config['framesPerCall']).toBe(8);
    expect(manifest.components.vaeDecoder.config['framesPerCall']).toBe(1);
    expect(cuda.components.vaeDecoder.precision).toBe('fp32');
    const bytes = await readFile(join(dir, 'cuda', cuda.components.dit.model));
    expect(bytes.includes(Buffer.from('MultiHeadAttention'))).toBe(true);
    await expect(createSession(join(dir, 'cuda', cuda.components.dit.model))).resolves.toBeDefined();
  }, 60_000);

  it('should build an fp16 VAE when asked, and refuse a frames-per-call that is not a whole number', async () => {
    const half = await buildModel({
      out: join(dir, 'vae16'),
      precision: 'fp32',
      target: 'cpu',
      source: { kind: 'tiny' },
      vaePrecision: 'fp16',
      vaeFramesPerCall: 2,
    });
    expect(half.components.vaeDecoder.precision).toBe('fp16');
    expect(half.components.vaeEncoder.precision).toBe('fp16');
    const session = await createSession(join(dir, 'vae16', half.components.vaeDecoder.model));
    expect(session.inputMetadata.find((m) => m.name === 'latent')).toMatchObject({
      shape: [1, 48, 2, 'h', 'w'],
    });
    const run = spawnSync(
      process.execPath,
      [cli, '--tiny', '--out', join(dir, 'x'), '--vae-frames-per-call', '0'],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--vae-frames-per-call must be a whole number/);
  }, 60_000);
});
