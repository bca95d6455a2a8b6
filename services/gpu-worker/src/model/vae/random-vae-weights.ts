import { MemoryWeights } from '../onnx/weights.ts';
import { GaussianNoise } from '../pipeline/gaussian-noise.ts';
import type { WanVaeConfig } from './vae-config.ts';
import { vaeParameterShapes } from './vae-parameters.ts';

/**
 * Deterministic random VAE weights with the real layout, for `build-model --tiny` and tests:
 * conv weights N(0, 1/fan_in), biases N(0, 0.05^2), norm gains 1 + N(0, 0.1^2) (the recipe of the
 * reference set), so activations stay O(1) through every stage.
 */
export function randomVaeWeights(config: WanVaeConfig, seed: number): MemoryWeights {
  const noise = new GaussianNoise(seed);
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [name, shape] of vaeParameterShapes(config)) {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = noise.sample(count);
    let scale: number;
    let offset = 0;
    if (name.endsWith('.gamma')) {
      scale = 0.1;
      offset = 1;
    } else if (name.endsWith('.bias')) {
      scale = 0.05;
    } else {
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      scale = 1 / Math.sqrt(fanIn);
    }
    for (let i = 0; i < count; i++) values[i] = offset + scale * values[i];
    tensors.set(name, { shape, data: values });
  }
  return new MemoryWeights(tensors);
}
