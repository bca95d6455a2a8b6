import { MemoryWeights } from '../onnx/weights.ts';
import type { DitConfig } from '../dit/dit-config.ts';
import type { T5Config } from '../t5/t5-config.ts';
import { WAN22_VAE_TINY_CONFIG, type WanVaeConfig } from '../vae/vae-config.ts';
import type { ParameterShapes } from './parameter-shapes.ts';
import { SeededNormal } from './random.ts';

/** Tiny configs with the real graph structure (head_dim 128, so the RoPE split is the real one). */
export const TINY_T5: T5Config = {
  vocabSize: 1000,
  dim: 64,
  dimAttn: 64,
  dimFfn: 128,
  numHeads: 4,
  numLayers: 2,
  numBuckets: 32,
  maxLength: 512,
  eps: 1e-6,
};

export const TINY_DIT: DitConfig = {
  patchSize: [1, 2, 2],
  textLen: 512,
  inDim: 48,
  dim: 256,
  ffnDim: 512,
  freqDim: 256,
  textDim: TINY_T5.dim,
  outDim: 48,
  numHeads: 2,
  numLayers: 2,
  qkNorm: true,
  crossAttnNorm: true,
  eps: 1e-6,
};

export const TINY_VAE: WanVaeConfig = WAN22_VAE_TINY_CONFIG;

function nameSeed(seed: number, name: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Deterministic random weights for the given tensor list, initialised like the official
 * init_weights would (fan-in scaled matrices, unit norms) but with small non-zero biases and
 * modulation, so every branch of the graph carries signal. Each tensor has its own seed.
 */
export function randomWeights(shapes: ParameterShapes, seed: number): MemoryWeights {
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [name, shape] of shapes) {
    const rng = new SeededNormal(nameSeed(seed, name));
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith('.gamma') || /norm\d?(_[qk])?\.weight$|^norm\.weight$/.test(name))
      data = rng.fill(n, 1, 0.02);
    else if (name.endsWith('.modulation')) data = rng.fill(n, 0, 0.1);
    else if (name === 'token_embedding.weight') data = rng.fill(n, 0, 1);
    else if (name.includes('pos_embedding')) data = rng.fill(n, 0, 0.5);
    else if (name.endsWith('.bias')) data = rng.fill(n, 0, 0.02);
    else data = rng.fill(n, 0, 1 / Math.sqrt(fanIn));
    tensors.set(name, { shape, data });
  }
  return new MemoryWeights(tensors);
}
