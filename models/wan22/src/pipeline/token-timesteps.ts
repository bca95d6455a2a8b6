import type { LatentDims } from './flow-model.ts';

/**
 * The per-token timestep vector WanTI2V gives the DiT: one entry per patch token in (frame, row,
 * col) order, all equal to t, except that image-to-video gives the tokens of latent frame 0 (the
 * clean image latent) timestep 0 — mask2[0][0][:, ::2, ::2] * t in the official code.
 */
export function tokenTimesteps(
  dims: LatentDims,
  patch: readonly [number, number, number],
  timestep: number,
  cleanFirstFrame: boolean,
): Float32Array {
  const [, frames, h, w] = dims;
  const [pt, ph, pw] = patch;
  if (frames % pt !== 0 || h % ph !== 0 || w % pw !== 0) {
    throw new Error(`latent [${dims.join(', ')}] is not divisible by the DiT patch [${patch.join(', ')}]`);
  }
  const perFrame = (h / ph) * (w / pw);
  const out = new Float32Array((frames / pt) * perFrame).fill(timestep);
  // Latent frame 0 is the first pt frames' tokens; with the TI2V patch (pt = 1) exactly frame 0.
  if (cleanFirstFrame) out.fill(0, 0, perFrame);
  return out;
}
