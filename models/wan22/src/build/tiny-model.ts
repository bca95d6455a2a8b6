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
    const { mean, std } = initialDistribution(name, shape);
    tensors.set(name, {
      shape,
      data: rng.fill(
        shape.reduce((a, b) => a * b, 1),
        mean,
        std,
      ),
    });
  }
  return new MemoryWeights(tensors);
}

/** The per-tensor seed randomWeights and LazyRandomWeights draw from. */
export function tensorSeed(seed: number, name: string): number {
  return nameSeed(seed, name);
}

/** Mean and standard deviation of a random tensor (see randomWeights). */
export function initialDistribution(name: string, shape: readonly number[]): { mean: number; std: number } {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  if (name.endsWith('.gamma') || /norm\d?(_[qk])?\.weight$|^norm\.weight$/.test(name))
    return { mean: 1, std: 0.02 };
  if (name.endsWith('.modulation')) return { mean: 0, std: 0.1 };
  if (name === 'token_embedding.weight') return { mean: 0, std: 1 };
  if (name.includes('pos_embedding')) return { mean: 0, std: 0.5 };
  if (name.endsWith('.bias')) return { mean: 0, std: 0.02 };
  return { mean: 0, std: 1 / Math.sqrt(fanIn) };
}
