import { ort } from '../onnx/session.ts';
import type { StreamingSession } from './streaming-session.ts';

/** A channel-first tensor without batch: [C, T, H, W]. */
export interface VideoTensor {
  readonly data: Float32Array;
  readonly dims: readonly [number, number, number, number];
}

export interface DecodedChunk {
  /** Index of the first video frame in this chunk. */
  readonly firstFrame: number;
  /** [3, frames, H, W] in [-1, 1]. */
  readonly video: VideoTensor;
  /** Every non-cache output of the graph by name (debug outputs included), [C, frames, H, W]. */
  readonly outputs: Readonly<Record<string, VideoTensor>>;
}

const SPATIAL = 16;
const TEMPORAL = 4;

/**
 * Decodes normalised latents [48, T, h, w] with the streaming decoder graph, one latent frame per
 * call, the way the official decode loop runs: frame 0 gives 1 video frame, each later one 4.
 */
export class WanVaeDecoder {
  private readonly stream: StreamingSession;

  constructor(stream: StreamingSession) {
    this.stream = stream;
  }

  /** The video chunk by chunk (for encoding while decoding, and a cancel check between chunks). */
  async *chunks(latent: VideoTensor): AsyncGenerator<DecodedChunk> {
    const [z, t, h, w] = latent.dims;
    this.stream.reset();
    let firstFrame = 0;
    try {
      for (let i = 0; i < t; i++) {
        const frame = new ort.Tensor('float32', sliceFrames(latent, i, 1), [1, z, 1, h, w]);
        const out = await this.stream.run({ latent: frame }, { h, w });
        const outputs: Record<string, VideoTensor> = {};
        for (const [name, value] of Object.entries(out)) {
          const [, c, frames, hh, ww] = value.dims;
          outputs[name] = { data: value.data as Float32Array, dims: [c, frames, hh, ww] };
        }
        const video = outputs['video'];
        if (!video) throw new Error('the decoder graph has no "video" output');
        yield { firstFrame, video, outputs };
        firstFrame += video.dims[1];
      }
    } finally {
      this.stream.reset();
    }
  }

  /** The whole video [3, 1 + 4(T - 1), 16h, 16w] in [-1, 1] (or another output of the graph). */
  async decode(latent: VideoTensor, output = 'video'): Promise<VideoTensor> {
    const [, t, h, w] = latent.dims;
    const frames = 1 + TEMPORAL * (t - 1);
    const dims = [3, frames, h * SPATIAL, w * SPATIAL] as const;
    const out = new Float32Array(dims[0] * dims[1] * dims[2] * dims[3]);
    for await (const chunk of this.chunks(latent)) {
      const value = chunk.outputs[output];
      if (!value) throw new Error(`the decoder graph has no "${output}" output`);
      placeFrames(out, dims, value, chunk.firstFrame);
    }
    return { data: out, dims };
  }
}

/**
 * Encodes a video [3, 1 + 4k, H, W] in [-1, 1] (H, W multiples of 16) to normalised latents
 * [48, 1 + k, H/16, W/16]: frame 0 alone, then chunks of 4, as the official encode. For
 * image-to-video pass the single conditioning frame.
 */
export class WanVaeEncoder {
  private readonly stream: StreamingSession;
  private readonly zDim: number;

  constructor(stream: StreamingSession, zDim = 48) {
    this.stream = stream;
    this.zDim = zDim;
  }

  /** Normalised latents (or another per-chunk output of the graph, e.g. the debug "mu"). */
  async encode(video: VideoTensor, output = 'latent'): Promise<VideoTensor> {
    checkEncoderInput(video);
    const [, t, hh, ww] = video.dims;
    const latentFrames = 1 + (t - 1) / TEMPORAL;
    const h = hh / SPATIAL;
    const w = ww / SPATIAL;
    const dims = [this.zDim, latentFrames, h, w] as const;
    const out = new Float32Array(this.zDim * latentFrames * h * w);
    for await (const chunk of this.chunks(video)) {
      const latent = chunk.outputs[output];
      if (!latent) throw new Error(`the encoder graph has no "${output}" output`);
      placeFrames(out, dims, latent, chunk.index);
    }
    return { data: out, dims };
  }

  /** Every output of the graph (debug taps included) for each chunk: frame 0, then 4 at a time. */
  async *chunks(video: VideoTensor): AsyncGenerator<{ index: number; outputs: Record<string, VideoTensor> }> {
    checkEncoderInput(video);
    const [, t, hh, ww] = video.dims;
    const latentFrames = 1 + (t - 1) / TEMPORAL;
    this.stream.reset();
    try {
      for (let i = 0; i < latentFrames; i++) {
        const start = i === 0 ? 0 : 1 + TEMPORAL * (i - 1);
        const count = i === 0 ? 1 : TEMPORAL;
        const chunk = new ort.Tensor('float32', sliceFrames(video, start, count), [1, 3, count, hh, ww]);
        const result = await this.stream.run({ video: chunk }, { H: hh, W: ww });
        const outputs: Record<string, VideoTensor> = {};
        for (const [name, value] of Object.entries(result)) {
          const [, channels, frames, oh, ow] = value.dims;
          outputs[name] = { data: value.data as Float32Array, dims: [channels, frames, oh, ow] };
        }
        yield { index: i, outputs };
      }
    } finally {
      this.stream.reset();
    }
  }
}

function checkEncoderInput(video: VideoTensor): void {
  const [c, t, hh, ww] = video.dims;
  if (c !== 3) throw new Error(`the VAE encodes RGB video [3, T, H, W], got ${c} channels`);
  if (t < 1 || (t - 1) % TEMPORAL !== 0) throw new Error(`the VAE encodes 1 + 4k frames, got ${t}`);
  if (hh % SPATIAL !== 0 || ww % SPATIAL !== 0) {
    throw new Error(`the VAE needs a size divisible by ${SPATIAL}, got ${ww}x${hh}`);
  }
}

/** Frames [start, start + count) of a [C, T, H, W] tensor, as [C, count, H, W]. */
export function sliceFrames(tensor: VideoTensor, start: number, count: number): Float32Array {
  const [c, t, h, w] = tensor.dims;
  const plane = h * w;
  const out = new Float32Array(c * count * plane);
  for (let ch = 0; ch < c; ch++) {
    const from = (ch * t + start) * plane;
    out.set(tensor.data.subarray(from, from + count * plane), ch * count * plane);
  }
  return out;
}

/** Writes chunk [C, n, H, W] into `out` [C, T, H, W] at frame `at`. */
export function placeFrames(
  out: Float32Array,
  dims: readonly [number, number, number, number],
  chunk: VideoTensor,
  at: number,
): void {
  const [c, t, h, w] = dims;
  const n = chunk.dims[1];
  const plane = h * w;
  if (chunk.dims[0] !== c || chunk.dims[2] !== h || chunk.dims[3] !== w || at + n > t) {
    throw new Error(`chunk [${chunk.dims.join(', ')}] at frame ${at} does not fit [${dims.join(', ')}]`);
  }
  for (let ch = 0; ch < c; ch++) {
    out.set(chunk.data.subarray(ch * n * plane, (ch + 1) * n * plane), (ch * t + at) * plane);
  }
}
