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
  /** Latent frames the graph decodes per call (its latent input's time dim). */
  readonly framesPerCall: number;
  private busy = false;

  constructor(stream: StreamingSession) {
    this.stream = stream;
    const k = stream.inputShape('latent')[2];
    this.framesPerCall = typeof k === 'number' ? k : 1;
  }

  /**
   * The video chunk by chunk, one graph call each (for encoding while decoding, and a cancel check
   * between chunks). The last call is padded with zero latent frames when the count does not
   * divide; the decoder is causal, so their output frames are simply dropped.
   */
  async *chunks(latent: VideoTensor): AsyncGenerator<DecodedChunk> {
    if (this.busy)
      throw new Error('this VAE decoder is already decoding: its caches allow one video at a time');
    this.busy = true;
    const [z, t, h, w] = latent.dims;
    const k = this.framesPerCall;
    const totalFrames = 1 + TEMPORAL * (t - 1);
    this.stream.reset();
    let firstFrame = 0;
    try {
      for (let start = 0; start < t; start += k) {
        const available = Math.min(k, t - start);
        const slice = sliceFrames(latent, start, available);
        const input = available === k ? slice : padFrames(slice, [z, available, h, w], k);
        const out = await this.stream.run(
          { latent: new ort.Tensor('float32', input, [1, z, k, h, w]) },
          { h, w },
        );
        const keep = Math.min(
          totalFrames - firstFrame,
          start === 0 ? 1 + TEMPORAL * (available - 1) : TEMPORAL * available,
        );
        const outputs: Record<string, VideoTensor> = {};
        for (const [name, value] of Object.entries(out)) {
          const [, c, n, hh, ww] = value.dims;
          const whole: VideoTensor = { data: value.data as Float32Array, dims: [c, n, hh, ww] };
          outputs[name] =
            n > keep && name.startsWith('video')
              ? { data: sliceFrames(whole, 0, keep), dims: [c, keep, hh, ww] }
              : whole;
        }
        const video = outputs['video'];
        if (!video) throw new Error('the decoder graph has no "video" output');
        yield { firstFrame, video, outputs };
        firstFrame += video.dims[1];
      }
    } finally {
      this.stream.reset();
      this.busy = false;
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

/** [C, n, H, W] zero-padded at the end of time to [C, frames, H, W]. */
function padFrames(
  data: Float32Array,
  dims: readonly [number, number, number, number],
  frames: number,
): Float32Array {
  const [c, n, h, w] = dims;
  const plane = h * w;
  const out = new Float32Array(c * frames * plane);
  for (let ch = 0; ch < c; ch++)
    out.set(data.subarray(ch * n * plane, (ch + 1) * n * plane), ch * frames * plane);
  return out;
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
