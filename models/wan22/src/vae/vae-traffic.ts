import type { GraphBuilder } from '../onnx/graph-builder.ts';
import { ONNX_DTYPE_BYTES } from '../onnx/onnx-types.ts';
import { evaluateDim } from './vae-graph-ops.ts';

export interface DecodeTraffic {
  readonly calls: number;
  /** Every graph input and output of every call: what crosses the host/device boundary. */
  readonly bytesPerVideo: number;
  /** The cache_in/cache_out part of it. */
  readonly cacheBytesPerVideo: number;
}

/**
 * Bytes a whole-clip decode moves through the streaming decoder graph's inputs and outputs,
 * computed from the graph's declared shapes: ceil(T / K) calls, each feeding the latent frames and
 * every cache in, and taking the video frames and every cache out. With onnxruntime's CUDA EP,
 * every one of those bytes is copied between host and GPU memory per call.
 */
export function decodeTraffic(
  graph: GraphBuilder,
  latent: { frames: number; height: number; width: number },
  framesPerCall: number,
): DecodeTraffic {
  const calls = Math.ceil(latent.frames / framesPerCall);
  let bytes = 0;
  let cacheBytes = 0;
  for (let call = 0; call < calls; call++) {
    const frames = call === 0 ? 1 + 4 * (framesPerCall - 1) : 4 * framesPerCall;
    const sizes = { h: latent.height, w: latent.width, frames };
    for (const value of [...graph.inputs, ...graph.outputs]) {
      const size = ONNX_DTYPE_BYTES[value.dtype];
      const n = value.dims.map((d) => evaluateDim(d, sizes)).reduce((a, b) => a * b, 1) * size;
      bytes += n;
      if (value.name.startsWith('cache_')) cacheBytes += n;
    }
  }
  return { calls, bytesPerVideo: bytes, cacheBytesPerVideo: cacheBytes };
}
