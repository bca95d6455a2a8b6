import { GraphBuilder } from '../onnx/graph-builder.ts';
import type { WanVaeConfig } from './vae-config.ts';
import type { LatentStats } from './vae-latent-stats.ts';
import { UNIT, VaeGraphOps, type Activation, type CacheSlot } from './vae-graph-ops.ts';
import type { WeightDType, WeightStore } from '../onnx/weights.ts';

export interface VaeGraphOptions {
  readonly precision?: WeightDType;
  /** Also output the video before the [-1, 1] clamp (reference checks). */
  readonly unclampedOutput?: boolean;
  /** Output the intermediates the reference set records (`tap.<name>`), for localising mismatches. */
  readonly debugTaps?: boolean;
  /** Decoder only: latent frames per call (see buildVaeDecoderGraph). */
  readonly framesPerCall?: number;
}

export interface StreamingGraph {
  readonly graph: GraphBuilder;
  /** Cache inputs/outputs in order; the runtime feeds zeros on the first call. */
  readonly caches: readonly CacheSlot[];
}

export const DECODER_INPUT = 'latent';
export const IS_FIRST_INPUT = 'is_first';
export const VIDEO_OUTPUT = 'video';
export const VIDEO_UNCLAMPED_OUTPUT = 'video_unclamped';

/**
 * The Wan 2.2 VAE decoder as a streaming graph: K normalised latent frames [1, z, K, h, w] per
 * call (K = framesPerCall, default 1), the causal caches in and out, and the video frames they
 * decode to [1, 3, T, 16h, 16w] (the clip's first latent frame gives 1 frame, every other 4),
 * clamped to [-1, 1]. Feeding the latent frames in order with the returned caches gives exactly
 * the official whole-clip decode, whose chunk loop does the same thing one frame at a time.
 *
 * With K > 1 the graph chains K single-frame decodes internally (shared weights), so the caches
 * cross the graph boundary once per K frames: at 720p they are about 6.4 GB in float32, which
 * matters when every call copies them between host and GPU. Trailing padding frames are harmless
 * (the decoder is causal); the runtime pads the last call and drops their output frames.
 */
export async function buildVaeDecoderGraph(
  config: WanVaeConfig,
  weights: WeightStore,
  stats: LatentStats,
  options: VaeGraphOptions = {},
): Promise<StreamingGraph> {
  const precision = options.precision ?? 'float32';
  const framesPerCall = options.framesPerCall ?? 1;
  if (!Number.isInteger(framesPerCall) || framesPerCall < 1) {
    throw new Error(`framesPerCall must be a positive integer, got ${framesPerCall}`);
  }
  if (options.debugTaps && framesPerCall !== 1) throw new Error('debug taps need framesPerCall 1');
  const g = new GraphBuilder('wan22_vae_decoder_stream');
  const latent = g.input(DECODER_INPUT, 'float32', [1, config.zDim, framesPerCall, 'h', 'w']);
  const isFirst = g.input(IS_FIRST_INPUT, 'bool', [1]);
  const ops = new VaeGraphOps(g, weights, precision, ['h', 'w'], isFirst, options.debugTaps);
  const notFirst = g.constant('bool', [1], Uint8Array.from([0]), 'not_first');

  let caches: string[] | null = null;
  const videos: string[] = [];
  for (let k = 0; k < framesPerCall; k++) {
    ops.beginStep(caches, k === 0 ? isFirst : notFirst);
    const frame = framesPerCall === 1 ? latent : ops.sliceTime(latent, k, k + 1);
    videos.push(await decodeLatentFrame(ops, config, stats, frame));
    caches = ops.endStep();
  }
  ops.emitCacheOutputs(caches ?? []);

  const video = videos.length === 1 ? videos[0] : g.op('Concat', videos, { axis: 2 });
  const outDims = [1, 3, 'frames', 'h*16', 'w*16'] as const;
  g.output(ops.clip(video, -1, 1), VIDEO_OUTPUT, 'float32', [...outDims]);
  if (options.unclampedOutput) g.output(video, VIDEO_UNCLAMPED_OUTPUT, 'float32', [...outDims]);
  ops.emitTaps();
  return { graph: g, caches: ops.caches };
}

/** One latent frame [1, z, 1, h, w] through conv2 and Decoder3d to float32 video (unclamped). */
async function decodeLatentFrame(
  ops: VaeGraphOps,
  config: WanVaeConfig,
  stats: LatentStats,
  latent: string,
): Promise<string> {
  const g = ops.g;
  // z / (1 / std) + mean, in float32 as the official wrapper does it.
  const z = g.op('Add', [
    g.op('Div', [latent, g.constant('float32', [1, config.zDim, 1, 1, 1], stats.invStd, 'vae_inv_std')]),
    g.constant('float32', [1, config.zDim, 1, 1, 1], stats.mean, 'vae_mean'),
  ]);
  let x: Activation = { name: ops.toAct(z), channels: config.zDim, scale: UNIT };
  ops.tap('z_denorm', { ...x, name: z });
  x = ops.conv(x, 'conv2');
  ops.tap('vae_conv2', x);

  const mult = config.dimMult;
  const dims = [mult[mult.length - 1], ...[...mult].reverse()].map((m) => m * config.decDim);
  const temporalUp = [...config.temporalDownsample].reverse();

  x = ops.causalConv(x, 'decoder.conv1');
  ops.tap('conv1', x);
  x = await ops.residualBlock(x, 'decoder.middle.0');
  ops.tap('middle.0', x);
  x = await ops.attention(x, 'decoder.middle.1');
  ops.tap('middle.1', x);
  x = await ops.residualBlock(x, 'decoder.middle.2');
  ops.tap('middle', x);

  for (let i = 0; i < mult.length; i++) {
    const stage = `decoder.upsamples.${i}`;
    const up = i !== mult.length - 1;
    const temporal = up && (temporalUp[i] ?? false);
    const input = x;
    let main = x;
    for (let r = 0; r < config.numResBlocks + 1; r++) {
      main = await ops.residualBlock(main, `${stage}.upsamples.${r}`);
    }
    if (up) {
      ops.tap(`up${i}.res`, main);
      main = ops.upsample(main, `${stage}.upsamples.${config.numResBlocks + 1}`, temporal, `up${i}`);
      const shortcut = ops.dupUp(input, dims[i + 1], temporal ? 2 : 1, 2);
      ops.tap(`up${i}.main`, main);
      ops.tap(`up${i}.shortcut`, shortcut);
      x = ops.add(main, shortcut);
    } else {
      x = main;
    }
    ops.tap(`up${i}`, x);
  }

  x = ops.silu(await ops.rmsNorm(x, 'decoder.head.0.gamma'));
  x = ops.causalConv(x, 'decoder.head.2');
  ops.tap('head', x);
  return unpatchify(ops, ops.toFloat32(x.name), x.channels / 4);
}

/** "b (c r q) f h w -> b c f (h q) (w r)" with q = r = 2 (r, the column offset, before q). */
function unpatchify(ops: VaeGraphOps, x: string, channels: number): string {
  const g = ops.g;
  const tDims = ops.dims(x, [2, 3, 4]);
  const split = g.op('Reshape', [x, ops.concatInts([[1, channels, 2, 2], tDims])]); // [1, c, r, q, T, h, w]
  const moved = g.op('Transpose', [split], { perm: [0, 1, 4, 5, 3, 6, 2] }); // [1, c, T, h, q, w, r]
  const sizes = g.op('Mul', [tDims, g.ints([1, 2, 2])]);
  return g.op('Reshape', [moved, ops.concatInts([[1, channels], sizes])]);
}
