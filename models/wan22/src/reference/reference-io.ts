import { join } from 'node:path';
import { SafetensorsFile } from '../safetensors/safetensors-file.ts';
import { SafetensorsWeights } from '../onnx/weights.ts';
import type { ReferenceRunnerContext } from './reference-types.ts';

/** The weights file a cases file belongs to: `dit-tiny-cases.safetensors` -> `dit-tiny.safetensors`. */
export function weightsFileFor(casesFile: string): string {
  return casesFile.replace(/-(cases|intermediates)\.safetensors$/, '.safetensors');
}

/** The model config stored with the weights (index.json meta, else the file's own `info`). */
export async function referenceConfig(
  ctx: ReferenceRunnerContext,
  weightsFile: string,
): Promise<Record<string, unknown>> {
  const fromIndex = ctx.index.files[weightsFile]?.meta?.['config'];
  if (fromIndex && typeof fromIndex === 'object') return fromIndex as Record<string, unknown>;
  await using file = await SafetensorsFile.open(join(ctx.dir, weightsFile));
  const info = file.info<{ config?: Record<string, unknown> }>();
  if (!info?.config)
    throw new Error(`${weightsFile}: no config in index.json meta or in the file's info metadata`);
  return info.config;
}

export async function openReferenceWeights(
  ctx: ReferenceRunnerContext,
  weightsFile: string,
): Promise<SafetensorsWeights> {
  return SafetensorsWeights.open([join(ctx.dir, weightsFile)]);
}

export async function openReferenceCases(ctx: ReferenceRunnerContext): Promise<SafetensorsFile> {
  return SafetensorsFile.open(join(ctx.dir, ctx.file));
}
