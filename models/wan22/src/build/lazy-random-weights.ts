import { float32ToHalf } from '../safetensors/half.ts';
import type { LazyTensorData } from '../onnx/graph-builder.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';
import type { ParameterShapes } from './parameter-shapes.ts';
import { SeededNormal } from './random.ts';
import { initialDistribution, tensorSeed } from './tiny-model.ts';

const CHUNK = 4 * 1024 * 1024;

/**
 * Random weights at any size (real-width graphs for benches and rehearsals): each tensor is drawn
 * chunk by chunk while the model is written, with the same distributions as randomWeights, so a
 * 5B-parameter graph needs no 20 GB of memory. Deterministic per (seed, name).
 */
export class LazyRandomWeights implements WeightStore {
  private readonly shapes: ReadonlyMap<string, readonly number[]>;
  private readonly seed: number;

  constructor(shapes: ParameterShapes, seed: number) {
    this.shapes = new Map(shapes);
    this.seed = seed;
  }

  has(name: string): boolean {
    return this.shapes.has(name);
  }

  shape(name: string): readonly number[] {
    const shape = this.shapes.get(name);
    if (!shape) throw new Error(`weights have no tensor "${name}"`);
    return shape;
  }

  data(name: string, dtype: WeightDType): LazyTensorData {
    const shape = this.shape(name);
    const count = shape.reduce((a, b) => a * b, 1);
    const { mean, std } = initialDistribution(name, shape);
    const seed = tensorSeed(this.seed, name);
    return {
      byteLength: count * (dtype === 'float32' ? 4 : 2),
      async *chunks() {
        const rng = new SeededNormal(seed);
        for (let at = 0; at < count; at += CHUNK) {
          const values = rng.fill(Math.min(CHUNK, count - at), mean, std);
          const out = dtype === 'float32' ? values : float32ToHalf(values);
          yield new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
        }
      },
    };
  }

  async float32(name: string): Promise<Float32Array> {
    const shape = this.shape(name);
    const { mean, std } = initialDistribution(name, shape);
    return new SeededNormal(tensorSeed(this.seed, name)).fill(
      shape.reduce((a, b) => a * b, 1),
      mean,
      std,
    );
  }
}
