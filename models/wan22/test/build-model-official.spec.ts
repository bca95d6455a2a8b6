import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../src/build/build-model.ts';
import {
  ditParameterShapes,
  t5ParameterShapes,
  vaeParameterShapes,
  type ParameterShapes,
} from '../src/build/parameter-shapes.ts';
import { TINY_DIT, TINY_T5, TINY_VAE, randomWeights } from '../src/build/tiny-model.ts';
import { createSession, f32, runSession } from '../src/onnx/session.ts';
import { writeSafetensors, type SafetensorsWriteTensor } from '../src/safetensors/safetensors-writer.ts';
import { tinyTokenizerJson } from '../src/text/tiny-tokenizer.ts';

/** Round-to-nearest-even float32 -> bfloat16 bits, as torch's .bfloat16() does. */
function toBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Uint16Array.from(bits, (b) => (b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
}

async function tensors(
  shapes: ParameterShapes,
  seed: number,
  bf16: boolean,
): Promise<Record<string, SafetensorsWriteTensor>> {
  const weights = randomWeights(shapes, seed);
  const out: Record<string, SafetensorsWriteTensor> = {};
  for (const [name, shape] of shapes) {
    const data = await weights.float32(name);
    out[name] = bf16 ? { dtype: 'BF16', shape, data: toBf16(data) } : { dtype: 'F32', shape, data };
  }
  return out;
}

// An "official download" in the Hugging Face layout, at tiny size: a bf16 DiT sharded in two
// files with its config.json, the umT5 encoder and the VAE (safetensors variants of the .pth
// names), and the tokenizer folder.
describe('build-model --from an official-layout directory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'official-'));
    const src = join(dir, 'Wan2.2-TI2V-5B');
    await mkdir(join(src, 'google', 'umt5-xxl'), { recursive: true });
    const dit = await tensors(ditParameterShapes(TINY_DIT), 1, true);
    const names = Object.keys(dit);
    const half = Math.ceil(names.length / 2);
    await writeSafetensors(
      join(src, 'diffusion_pytorch_model-00001-of-00002.safetensors'),
      Object.fromEntries(names.slice(0, half).map((n) => [n, dit[n]])),
    );
    await writeSafetensors(
      join(src, 'diffusion_pytorch_model-00002-of-00002.safetensors'),
      Object.fromEntries(names.slice(half).map((n) => [n, dit[n]])),
    );
    const c = TINY_DIT;
    await writeFile(
      join(src, 'config.json'),
      JSON.stringify({
        _class_name: 'WanModel',
        model_type: 'ti2v',
        patch_size: c.patchSize,
        text_len: c.textLen,
        in_dim: c.inDim,
        dim: c.dim,
        ffn_dim: c.ffnDim,
        freq_dim: c.freqDim,
        text_dim: c.textDim,
        out_dim: c.outDim,
        num_heads: c.numHeads,
        num_layers: c.numLayers,
        window_size: [-1, -1],
        qk_norm: true,
        cross_attn_norm: true,
        eps: 1e-6,
      }),
    );
    await writeSafetensors(
      join(src, 'models_t5_umt5-xxl-enc-bf16.safetensors'),
      await tensors(t5ParameterShapes(TINY_T5), 2, true),
    );
    await writeSafetensors(
      join(src, 'Wan2.2_VAE.safetensors'),
      await tensors(vaeParameterShapes(TINY_VAE), 3, false),
    );
    await writeFile(
      join(src, 'google', 'umt5-xxl', 'tokenizer.json'),
      JSON.stringify(tinyTokenizerJson(TINY_T5.vocabSize)),
    );
    await writeFile(join(src, 'google', 'umt5-xxl', 'special_tokens_map.json'), '{}');
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
