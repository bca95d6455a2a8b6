/**
 * Wan 2.2 VAE (WanVAE_) hyper-parameters. The same graph code serves the tiny reference VAE and the
 * real one; only this config differs.
 */
export interface WanVaeConfig {
  /** Encoder base width (real: 160). */
  readonly dim: number;
  /** Decoder base width (real: 256; the official loader leaves WanVAE_'s default). */
  readonly decDim: number;
  /** Latent channels (48). */
  readonly zDim: number;
  readonly dimMult: readonly number[];
  readonly numResBlocks: number;
  /** Per encoder stage: does it halve time? The decoder uses the reverse to double it. */
  readonly temporalDownsample: readonly boolean[];
}

/** Wan2.2_VAE.pth as Wan2_2_VAE loads it for TI2V-5B. */
export const WAN22_VAE_CONFIG: WanVaeConfig = {
  dim: 160,
  decDim: 256,
  zDim: 48,
  dimMult: [1, 2, 4, 4],
  numResBlocks: 2,
  temporalDownsample: [false, true, true],
};

/** The tiny VAE of the reference set (vae-tiny.safetensors). */
export const WAN22_VAE_TINY_CONFIG: WanVaeConfig = { ...WAN22_VAE_CONFIG, dim: 8, decDim: 8 };

/** The reference files' JSON config (vae-tiny.safetensors `info.config`) in our shape. */
export function vaeConfigFromReference(config: {
  dim: number;
  dec_dim?: number;
  z_dim: number;
  dim_mult: number[];
  num_res_blocks: number;
  temperal_downsample: boolean[];
}): WanVaeConfig {
  return {
    dim: config.dim,
    decDim: config.dec_dim ?? 256,
    zDim: config.z_dim,
    dimMult: config.dim_mult,
    numResBlocks: config.num_res_blocks,
    temporalDownsample: config.temperal_downsample,
  };
}

/** Pixels per latent pixel along height and width (2x2 patchify times 2^(stages - 1)). */
export function spatialStride(config: WanVaeConfig): number {
  return 2 * 2 ** (config.dimMult.length - 1);
}

/** Video frames per latent frame after the first (2^number of temporal stages). */
export function temporalStride(config: WanVaeConfig): number {
  return 2 ** config.temporalDownsample.filter(Boolean).length;
}
