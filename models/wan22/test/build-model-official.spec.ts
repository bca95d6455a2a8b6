import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import { TINY_T5 } from '../src/build/tiny-model.ts';
import { createSession, f32, runSession } from '../src/onnx/session.ts';
import { writeTinyOfficialCheckpoint } from './support/tiny-official.ts';

// An "official download" in the Hugging Face layout, at tiny size: a bf16 DiT sharded in two
// files with its config.json, the umT5 encoder and the VAE (safetensors variants of the .pth
// names), and the tokenizer folder.
describe('build-model --from an official-layout directory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'official-'));
    await writeTinyOfficialCheckpoint(join(dir, 'Wan2.2-TI2V-5B'));
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'should read sharded bf16 weights, infer the configs and copy the tokenizer',
    { timeout: 60_000 },
    async () => {
      const out = join(dir, 'model');
      const manifest = await buildModel({
        out,
        precision: 'fp32',
        target: 'cpu',
        source: { kind: 'official', dir: join(dir, 'Wan2.2-TI2V-5B') },
      });
      expect(manifest.name).toBe('wan2.2-ti2v-d256-l2');
      expect(manifest.components.textEncoder.config).toMatchObject({
        dim: TINY_T5.dim,
        numHeads: TINY_T5.numHeads,
        numLayers: 2,
      });
      expect(manifest.components.vaeDecoder.config).toMatchObject({ dim: 8, decDim: 8, zDim: 48 });
      expect(manifest.tokenizer.files.map((f) => f.path)).toEqual([
        'special_tokens_map.json',
        'tokenizer.json',
      ]);
      expect(JSON.parse(await readFile(join(out, 'model.json'), 'utf8')).source).toBe('official');
      const dit = await createSession(join(out, manifest.components.dit.model));
      const result = await runSession(dit, {
        x: f32([48, 1, 2, 2], new Float32Array(48 * 4).fill(0.5)),
        t: f32([1], new Float32Array([999])),
        context: f32([2, TINY_T5.dim], new Float32Array(2 * TINY_T5.dim).fill(0.1)),
      });
      expect((result['out'].data as Float32Array).every(Number.isFinite)).toBe(true);
    },
  );

  it('should name the missing file when the download is incomplete', { timeout: 60_000 }, async () => {
    const partial = join(dir, 'partial');
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, 'config.json'), '{}');
    await writeFile(join(partial, 'diffusion_pytorch_model.safetensors'), '');
    await expect(
      buildModel({
        out: join(dir, 'x'),
        precision: 'fp32',
        target: 'cpu',
        source: { kind: 'official', dir: partial },
      }),
    ).rejects.toThrow(
      /has no umT5 encoder checkpoint \(looked for models_t5_umt5-xxl-enc-bf16.safetensors, models_t5_umt5-xxl-enc-bf16.pth\)/,
    );
  });
});
