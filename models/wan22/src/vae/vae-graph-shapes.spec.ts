import { describe, expect, it } from 'vitest';
import type { LazyTensorData } from '../onnx/graph-builder.ts';
import type { WeightStore } from '../onnx/weights.ts';
import { WAN22_VAE_CONFIG, WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { buildVaeDecoderGraph } from './vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from './vae-encoder-graph.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { parameterCount, vaeParameterShapes } from '../build/parameter-shapes.ts';
import { randomWeights } from '../build/tiny-model.ts';
import { loadVaeInMemory } from './load-vae.ts';

/** Shapes only: data is never produced because the graphs are built, not written. */
function shapeOnlyWeights(shapes: ReadonlyMap<string, readonly number[]>): WeightStore {
  let distinct = 0; // small tensors get distinct values so that equal constants are not merged
  const get = (name: string) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no parameter ${name}`);
    return shape;
  };
  return {
    has: (name) => shapes.has(name),
    shape: get,
    data(name, dtype): LazyTensorData {
      const count = get(name).reduce((a, b) => a * b, 1);
      return {
        byteLength: count * (dtype === 'float32' ? 4 : 2),
        chunks: () => {
          throw new Error('shape-only weights have no data');
        },
      };
    },
    float32: async (name) => new Float32Array(get(name).reduce((a, b) => a * b, 1)).fill(++distinct),
  };
}

// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe('Wan 2.2 VAE graphs from parameter shapes', { timeout: 120_000 }, () => {
  it('should make a random tiny VAE that round-trips a clip to finite video in [-1, 1]', async () => {
    const weights = randomWeights(vaeParameterShapes(WAN22_VAE_TINY_CONFIG), 3);
    const vae = await loadVaeInMemory(WAN22_VAE_TINY_CONFIG, weights, wan22LatentStats());
    const clip = {
      data: new Float32Array(3 * 5 * 32 * 32).map((_, i) => Math.sin(i)),
      dims: [3, 5, 32, 32] as const,
    };
    const latent = await vae.encoder.encode(clip);
    expect(latent.dims).toEqual([48, 2, 2, 2]);
    const video = await vae.decoder.decode(latent);
    expect(video.dims).toEqual([3, 5, 32, 32]);
    expect(video.data.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
  });

  it('should build both streaming graphs of the real VAE (dim 160, dec_dim 256) from the same code', async () => {
    const shapes = vaeParameterShapes(WAN22_VAE_CONFIG);
    console.info(`real Wan 2.2 VAE parameters: ${parameterCount(shapes)}`);
    const weights = shapeOnlyWeights(shapes);
    const decoder = await buildVaeDecoderGraph(WAN22_VAE_CONFIG, weights, wan22LatentStats(), {
      precision: 'float16',
    });
    const encoder = await buildVaeEncoderGraph(WAN22_VAE_CONFIG, weights, wan22LatentStats(), {
      precision: 'float16',
    });
    expect(decoder.caches).toHaveLength(32);
    expect(encoder.caches).toHaveLength(24);
    expect(decoder.graph.inputs.find((i) => i.name === 'cache_in.31')?.dims).toEqual([
      1,
      256,
      2,
      'h*8',
      'w*8',
    ]);
    expect(encoder.graph.inputs.find((i) => i.name === 'cache_in.0')?.dims).toEqual([1, 12, 2, 'H/2', 'W/2']);
    const used = new Set([...decoder.graph.initializers.keys(), ...encoder.graph.initializers.keys()]);
    expect([...shapes.keys()].filter((name) => !used.has(name))).toEqual([]);
  });
});
