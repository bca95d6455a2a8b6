import { describe, expect, it } from 'vitest';
import { WAN22_TI2V_5B } from '../dit/dit-config.ts';
import { buildDitGraph } from '../dit/dit-graph.ts';
import type { GraphBuilder, LazyTensorData } from '../onnx/graph-builder.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';
import { UMT5_XXL } from '../t5/t5-config.ts';
import { buildT5EncoderGraph } from '../t5/t5-encoder-graph.ts';
import {
  ditParameterShapes,
  parameterCount,
  t5ParameterShapes,
  type ParameterShapes,
} from './parameter-shapes.ts';

/** Shapes of the real checkpoint, data never read: builds the full-size graphs without 20 GB of weights. */
class ShapeOnlyWeights implements WeightStore {
  readonly read = new Set<string>();
  private readonly shapes: ParameterShapes;

  constructor(shapes: ParameterShapes) {
    this.shapes = shapes;
  }

  has(name: string): boolean {
    return this.shapes.has(name);
  }

  shape(name: string): readonly number[] {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`no tensor "${name}"`);
    return shape;
  }

  data(name: string, dtype: WeightDType): LazyTensorData {
    this.read.add(name);
    const elements = this.shape(name).reduce((a, b) => a * b, 1);
    return {
      byteLength: elements * (dtype === 'float32' ? 4 : 2),
      chunks: () => {
        throw new Error('shape-only weights have no data');
      },
    };
  }

  float32(): Promise<Float32Array> {
    return Promise.reject(new Error('shape-only weights have no data'));
  }
}

function weightBytes(g: GraphBuilder, dtype: string): number {
  let bytes = 0;
  for (const init of g.initializers.values()) if (init.dtype === dtype) bytes += init.data.byteLength;
  return bytes;
}

describe('full-size graphs from the same builders', () => {
  it('should use every TI2V-5B DiT parameter, 10 GB of them in fp16, with fused attention in all 30 layers', () => {
    const shapes = ditParameterShapes(WAN22_TI2V_5B);
    const weights = new ShapeOnlyWeights(shapes);
    const g = buildDitGraph(WAN22_TI2V_5B, weights, { dtype: 'float16', fusedAttention: true });
    expect([...shapes.keys()].filter((n) => !weights.read.has(n))).toEqual([]);
    expect(g.nodes.filter((n) => n.opType === 'MultiHeadAttention')).toHaveLength(60);
    const fp16 = weightBytes(g, 'float16');
    expect(fp16 / 1e9).toBeGreaterThan(9.5);
    // float32 islands: modulation, norms, time MLPs and head stay a small fraction.
    expect(weightBytes(g, 'float32') / (2 * parameterCount(shapes))).toBeLessThan(0.05);
  });

  it('should use every umT5-XXL parameter when built for CUDA', () => {
    const shapes = t5ParameterShapes(UMT5_XXL);
    const weights = new ShapeOnlyWeights(shapes);
    const g = buildT5EncoderGraph(UMT5_XXL, weights, { dtype: 'float16' });
    expect([...shapes.keys()].filter((n) => !weights.read.has(n))).toEqual([]);
    // Half precision everywhere but the FFN output projections (fc2, kept float32 against
    // overflow): 24 x 4096 x 10240 = 1.0 B parameters at 4 bytes, the other 4.7 B at 2.
    const fc2 = [...shapes].filter(([n]) => n.endsWith('.ffn.fc2.weight'));
    const fc2Parameters = fc2.reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
    expect(fc2).toHaveLength(24);
    expect(weightBytes(g, 'float32')).toBeGreaterThanOrEqual(4 * fc2Parameters);
    expect(weightBytes(g, 'float16') / 1e9).toBeGreaterThan(9);
    expect(weightBytes(g, 'float16')).toBeLessThanOrEqual(2 * (parameterCount(shapes) - fc2Parameters));
  });
});
