/** A trimmed text-encoder output: `tokens` real rows of `dim` values (the DiT pads it itself). */
export interface TextContext {
  readonly data: Float32Array;
  readonly tokens: number;
  readonly dim: number;
}

/** Latent video dims without batch: [channels, frames, height, width]. */
export type LatentDims = readonly [number, number, number, number];

export interface FlowModelInput {
  /** [C, F, h, w] */
  readonly latent: Float32Array;
  readonly latentDims: LatentDims;
  /** One timestep per DiT token (frame, row, col order), float32. */
  readonly tokenTimesteps: Float32Array;
  readonly context: TextContext;
}

/**
 * The denoiser the loop calls: the DiT predicting the flow (velocity) for a latent at per-token
 * timesteps under a text context, same shape as the latent. Implemented over an ONNX session by
 * the DiT module; tests may replay recorded predictions.
 */
export interface FlowModel {
  predict(input: FlowModelInput): Promise<Float32Array>;
}

export function latentSize(dims: LatentDims): number {
  return dims[0] * dims[1] * dims[2] * dims[3];
}
