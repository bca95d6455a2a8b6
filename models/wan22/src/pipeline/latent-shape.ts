import type { LatentDims } from './flow-model.ts';

export interface VideoGeometry {
  readonly width: number;
  readonly height: number;
  /** 1 + 4k frames (121 at the TI2V default). */
  readonly frames: number;
}

export interface LatentGeometry {
  readonly zDim?: number;
  /** VAE stride (time, height, width); Wan 2.2 TI2V: [4, 16, 16]. */
  readonly vaeStride?: readonly [number, number, number];
  /** DiT patch; TI2V: [1, 2, 2]. */
  readonly patchSize?: readonly [number, number, number];
}

/**
 * The latent a video of this size needs, as WanTI2V builds its noise: [z, (F - 1) / 4 + 1, H / 16,
 * W / 16], refusing sizes the VAE stride times the DiT patch does not divide (the official code
 * would silently truncate them).
 */
export function latentDimsFor(video: VideoGeometry, geometry: LatentGeometry = {}): LatentDims {
  const z = geometry.zDim ?? 48;
  const [st, sh, sw] = geometry.vaeStride ?? [4, 16, 16];
  const [, ph, pw] = geometry.patchSize ?? [1, 2, 2];
  const { width, height, frames } = video;
  if (!Number.isInteger(frames) || frames < 1 || (frames - 1) % st !== 0) {
    throw new Error(`frame count must be 1 + ${st}k (e.g. 121), got ${frames}`);
  }
  if (width % (sw * pw) !== 0 || height % (sh * ph) !== 0) {
    throw new Error(`video size must be a multiple of ${sw * pw}x${sh * ph}, got ${width}x${height}`);
  }
  return [z, (frames - 1) / st + 1, height / sh, width / sw];
}

/** Number of DiT tokens (seq_len) for a latent. */
export function tokenCount(
  dims: LatentDims,
  patchSize: readonly [number, number, number] = [1, 2, 2],
): number {
  const [pt, ph, pw] = patchSize;
  return (dims[1] / pt) * (dims[2] / ph) * (dims[3] / pw);
}
