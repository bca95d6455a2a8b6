import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ditConfigFromOfficial, WAN22_TI2V_5B } from '../dit/dit-config.ts';
import { t5ConfigFromReference, UMT5_XXL } from '../t5/t5-config.ts';
import { vaeConfigFromReference, WAN22_VAE_CONFIG } from '../vae/vae-config.ts';
import {
  ditParameterShapes,
  parameterCount,
  t5ParameterShapes,
  vaeParameterShapes,
} from './parameter-shapes.ts';

const index = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../test/fixtures/wan22/index.json'), 'utf8'),
) as { files: Record<string, { meta: { config: never }; tensors: Record<string, { shape: number[] }> }> };

function referenceShapes(file: string): Record<string, number[]> {
  return Object.fromEntries(Object.entries(index.files[file].tensors).map(([k, v]) => [k, v.shape]));
}

describe(ditParameterShapes.name, () => {
  it('should list exactly the official checkpoint tensors when given the reference config', () => {
    const shapes = ditParameterShapes(ditConfigFromOfficial(index.files['dit-tiny.safetensors'].meta.config));
    expect(Object.fromEntries(shapes)).toEqual(referenceShapes('dit-tiny.safetensors'));
  });

  it('should count about 5 billion parameters when given the TI2V-5B config', () => {
    expect(parameterCount(ditParameterShapes(WAN22_TI2V_5B)) / 1e9).toBeCloseTo(5.0, 0);
  });
});

describe(t5ParameterShapes.name, () => {
  it('should list exactly the official checkpoint tensors when given the reference config', () => {
    const shapes = t5ParameterShapes(t5ConfigFromReference(index.files['t5-tiny.safetensors'].meta.config));
    expect(Object.fromEntries(shapes)).toEqual(referenceShapes('t5-tiny.safetensors'));
  });

  it('should count the 5.7 billion parameters of the umT5-XXL encoder', () => {
    expect(parameterCount(t5ParameterShapes(UMT5_XXL)) / 1e9).toBeCloseTo(5.7, 1);
  });
});

describe(vaeParameterShapes.name, () => {
  it('should list exactly the official checkpoint tensors when given the reference config', () => {
    const shapes = vaeParameterShapes(
      vaeConfigFromReference(index.files['vae-tiny.safetensors'].meta.config),
    );
    expect(Object.fromEntries(shapes)).toEqual(referenceShapes('vae-tiny.safetensors'));
  });

  it('should count the real Wan2.2 VAE at a few hundred million parameters', () => {
    const n = parameterCount(vaeParameterShapes(WAN22_VAE_CONFIG));
    expect(n).toBeGreaterThan(1e8);
    expect(n).toBeLessThan(1e9);
  });
});
