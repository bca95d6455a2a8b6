import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LazyTensorData, TensorArray } from '../onnx/graph-builder.ts';
import { SafetensorsWeights, type WeightDType, type WeightStore } from '../onnx/weights.ts';

/**
 * The WanModel DiT in the diffusers layout (`WanTransformer3DModel`, e.g. the FastVideo
 * releases): tensor names mapped onto the official ones, the way diffusers'
 * scripts/convert_wan_to_diffusers.py maps them the other way (its TRANSFORMER_KEYS_RENAME_DICT).
 * Suffix rules are applied to whole dot-separated segments; the official norm2/norm3 swap is
 * diffusers' (official norm3 is the cross-attention norm, diffusers calls it norm2).
 */
const GLOBAL_NAMES: readonly (readonly [string, string])[] = [
  ['condition_embedder.time_embedder.linear_1', 'time_embedding.0'],
  ['condition_embedder.time_embedder.linear_2', 'time_embedding.2'],
  ['condition_embedder.text_embedder.linear_1', 'text_embedding.0'],
  ['condition_embedder.text_embedder.linear_2', 'text_embedding.2'],
  ['condition_embedder.time_proj', 'time_projection.1'],
  ['proj_out', 'head.head'],
  ['patch_embedding', 'patch_embedding'],
];

const BLOCK_NAMES: readonly (readonly [string, string])[] = [
  ['attn1.to_q', 'self_attn.q'],
  ['attn1.to_k', 'self_attn.k'],
  ['attn1.to_v', 'self_attn.v'],
  ['attn1.to_out.0', 'self_attn.o'],
  ['attn1.norm_q', 'self_attn.norm_q'],
  ['attn1.norm_k', 'self_attn.norm_k'],
  ['attn2.to_q', 'cross_attn.q'],
  ['attn2.to_k', 'cross_attn.k'],
  ['attn2.to_v', 'cross_attn.v'],
  ['attn2.to_out.0', 'cross_attn.o'],
  ['attn2.norm_q', 'cross_attn.norm_q'],
  ['attn2.norm_k', 'cross_attn.norm_k'],
  ['norm2', 'norm3'],
  ['ffn.net.0.proj', 'ffn.0'],
  ['ffn.net.2', 'ffn.2'],
];

/** The official name of a diffusers DiT tensor, or undefined when it has none. */
export function officialDitName(name: string): string | undefined {
  if (name === 'scale_shift_table') return 'head.modulation';
  for (const [from, to] of GLOBAL_NAMES) {
    if (name === `${from}.weight` || name === `${from}.bias`) return `${to}${name.slice(from.length)}`;
  }
  const block = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (!block) return undefined;
  const [, index, rest] = block;
  if (rest === 'scale_shift_table') return `blocks.${index}.modulation`;
  for (const [from, to] of BLOCK_NAMES) {
    if (rest === `${from}.weight` || rest === `${from}.bias`) {
      return `blocks.${index}.${to}${rest.slice(from.length)}`;
    }
  }
  return undefined;
}

/** The diffusers name of an official DiT tensor (the inverse of officialDitName). */
export function diffusersDitName(official: string): string | undefined {
  if (official === 'head.modulation') return 'scale_shift_table';
  for (const [from, to] of GLOBAL_NAMES) {
    if (official === `${to}.weight` || official === `${to}.bias`)
      return `${from}${official.slice(to.length)}`;
  }
  const block = /^blocks\.(\d+)\.(.+)$/.exec(official);
  if (!block) return undefined;
  const [, index, rest] = block;
  if (rest === 'modulation') return `blocks.${index}.scale_shift_table`;
  for (const [from, to] of BLOCK_NAMES) {
    if (rest === `${to}.weight` || rest === `${to}.bias`)
      return `blocks.${index}.${from}${rest.slice(to.length)}`;
  }
  return undefined;
}

/**
 * A diffusers DiT checkpoint read under official names. Refuses the checkpoint when any of its
 * tensors has no official name (a layout this loader does not know: mapping it silently could
 * drop weights) or when two map onto one name.
 */
export class DiffusersDitWeights implements WeightStore {
  private readonly inner: SafetensorsWeights;
  private readonly byOfficial = new Map<string, string>();

  private constructor(inner: SafetensorsWeights) {
    this.inner = inner;
    const unmapped: string[] = [];
    for (const name of inner.names) {
      const official = officialDitName(name);
      if (!official) {
        unmapped.push(name);
        continue;
      }
      if (this.byOfficial.has(official)) {
        throw new Error(
          `diffusers tensors "${this.byOfficial.get(official)}" and "${name}" both map to "${official}"`,
        );
      }
      this.byOfficial.set(official, name);
    }
    if (unmapped.length) {
      throw new Error(
        `the diffusers DiT has ${unmapped.length} tensors with no official WanModel name ` +
          `(${unmapped.slice(0, 5).join(', ')}${unmapped.length > 5 ? ', ...' : ''}): not a plain WanTransformer3DModel`,
      );
    }
  }

  static async open(paths: readonly string[]): Promise<DiffusersDitWeights> {
    const inner = await SafetensorsWeights.open(paths);
    try {
      return new DiffusersDitWeights(inner);
    } catch (error) {
      await inner.close();
      throw error;
    }
  }

  /** Official names of every tensor. */
  get names(): string[] {
    return [...this.byOfficial.keys()];
  }

  has(name: string): boolean {
    return this.byOfficial.has(name);
  }

  shape(name: string): readonly number[] {
    return this.inner.shape(this.source(name));
  }

  data(name: string, dtype: WeightDType): TensorArray | LazyTensorData {
    return this.inner.data(this.source(name), dtype);
  }

  float32(name: string): Promise<Float32Array> {
    return this.inner.float32(this.source(name));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private source(name: string): string {
    const source = this.byOfficial.get(name);
    if (!source) throw new Error(`the diffusers DiT has no tensor for "${name}"`);
    return source;
  }
}

/**
 * The official config (snake_case, what ditConfigFromOfficial reads) of a diffusers
 * WanTransformer3DModel config.json. `textLen` is not in it: WanModel's 512 for every release.
 */
export function officialConfigFromDiffusers(config: Record<string, unknown>): Record<string, unknown> {
  const num = (key: string): number => {
    const v = config[key];
    if (typeof v !== 'number') throw new Error(`the diffusers DiT config has no numeric "${key}"`);
    return v;
  };
  const cls = config['_class_name'];
  if (cls !== undefined && cls !== 'WanTransformer3DModel') {
    throw new Error(`the diffusers DiT is a ${String(cls)}, not a WanTransformer3DModel`);
  }
  if (config['image_dim'] !== undefined && config['image_dim'] !== null) {
    throw new Error(
      'the diffusers DiT has an image embedder (image_dim): only the TI2V/T2V layout is supported',
    );
  }
  const qkNorm = config['qk_norm'];
  if (qkNorm !== undefined && qkNorm !== null && qkNorm !== 'rms_norm_across_heads') {
    throw new Error(`qk_norm "${String(qkNorm)}" is not WanModel's (rms_norm_across_heads)`);
  }
  return {
    model_type: 'ti2v',
    patch_size: config['patch_size'],
    text_len: 512,
    in_dim: num('in_channels'),
    dim: num('num_attention_heads') * num('attention_head_dim'),
    ffn_dim: num('ffn_dim'),
    freq_dim: num('freq_dim'),
    text_dim: num('text_dim'),
    out_dim: num('out_channels'),
    num_heads: num('num_attention_heads'),
    num_layers: num('num_layers'),
    qk_norm: qkNorm === 'rms_norm_across_heads',
    cross_attn_norm: config['cross_attn_norm'] !== false,
    eps: typeof config['eps'] === 'number' ? config['eps'] : 1e-6,
  };
}

/** The diffusers config.json of an official config (for tests that write the tiny DiT out in that layout). */
export function diffusersConfigFromOfficial(config: Record<string, unknown>): Record<string, unknown> {
  const n = (key: string) => config[key] as number;
  return {
    _class_name: 'WanTransformer3DModel',
    patch_size: config['patch_size'],
    num_attention_heads: n('num_heads'),
    attention_head_dim: n('dim') / n('num_heads'),
    in_channels: n('in_dim'),
    out_channels: n('out_dim'),
    text_dim: n('text_dim'),
    freq_dim: n('freq_dim'),
    ffn_dim: n('ffn_dim'),
    num_layers: n('num_layers'),
    cross_attn_norm: config['cross_attn_norm'] !== false,
    qk_norm: config['qk_norm'] === false ? null : 'rms_norm_across_heads',
    eps: config['eps'] ?? 1e-6,
    image_dim: null,
  };
}

/** A diffusers `transformer/` directory: config.json and diffusion_pytorch_model*.safetensors. */
export async function locateDiffusersDit(
  dir: string,
): Promise<{ config: Record<string, unknown>; shards: string[] }> {
  const listing = await readdir(dir).catch(() => {
    throw new Error(`--dit-from ${dir}: not a readable directory`);
  });
  const shards = listing.filter((n) => /^diffusion_pytorch_model.*\.safetensors$/.test(n)).sort();
  if (shards.length === 0)
    throw new Error(`${dir} has no diffusion_pytorch_model*.safetensors (a diffusers transformer/ folder)`);
  const config = JSON.parse(
    await readFile(join(dir, 'config.json'), 'utf8').catch(() => {
      throw new Error(`${dir} has no config.json`);
    }),
  ) as Record<string, unknown>;
  return { config: officialConfigFromDiffusers(config), shards: shards.map((n) => join(dir, n)) };
}
