import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LazyTensorData } from '../onnx/graph-builder.ts';
import type { WeightStore } from '../onnx/weights.ts';
import { SafetensorsFile } from '../safetensors/index.ts';
import { WAN22_VAE_CONFIG, WAN22_VAE_TINY_CONFIG } from './vae-config.ts';
import { buildVaeDecoderGraph } from './vae-decoder-graph.ts';
import { buildVaeEncoderGraph } from './vae-encoder-graph.ts';
import { wan22LatentStats } from './vae-latent-stats.ts';
import { parameterCount, vaeParameterShapes } from './vae-parameters.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/wan22/', import.meta.url));

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
describe(vaeParameterShapes.name, { timeout: 120_000 }, () => {
  it('should list exactly the tensors of the reference checkpoint when given the tiny config', async () => {
    await using file = await SafetensorsFile.open(join(fixtures, 'vae-tiny.safetensors'));
    const shapes = vaeParameterShapes(WAN22_VAE_TINY_CONFIG);
    expect([...shapes.keys()].sort()).toEqual([...file.names].sort());
    for (const [name, shape] of shapes) expect(shape, name).toEqual([...file.get(name).shape]);
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
