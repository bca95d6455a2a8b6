// An "official download" in the Hugging Face layout, at tiny size: a bf16 DiT sharded in two
// files with its config.json, the umT5 encoder and the VAE (safetensors variants of the .pth
// names), and the tokenizer folder. build-model reads it; the hub stand-in serves it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ditParameterShapes,
  t5ParameterShapes,
  vaeParameterShapes,
  type ParameterShapes,
} from '../../src/build/parameter-shapes.ts';
import { TINY_DIT, TINY_T5, TINY_VAE, randomWeights } from '../../src/build/tiny-model.ts';
import { writeSafetensors, type SafetensorsWriteTensor } from '../../src/safetensors/safetensors-writer.ts';
import { tinyTokenizerJson } from '../../src/text/tiny-tokenizer.ts';

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

/** Writes the tiny official layout into `src` (created). */
export async function writeTinyOfficialCheckpoint(src: string): Promise<void> {
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
}
