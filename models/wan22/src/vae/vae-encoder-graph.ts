import { GraphBuilder } from '../onnx/graph-builder.ts';
import type { WanVaeConfig } from './vae-config.ts';
import { IS_FIRST_INPUT, type StreamingGraph, type VaeGraphOptions } from './vae-decoder-graph.ts';
import type { LatentStats } from './vae-latent-stats.ts';
import { VaeGraphOps, type Activation } from './vae-graph-ops.ts';
import type { WeightStore } from '../onnx/weights.ts';

export const ENCODER_INPUT = 'video';
export const LATENT_OUTPUT = 'latent';
/** Debug output: mu before the mean/std normalisation. */
export const MU_OUTPUT = 'mu';

/**
 * The Wan 2.2 VAE encoder as a streaming graph, chunked like the official encode: the first call
 * takes frame 0 alone, every later call 4 frames, each [1, 3, T, H, W] in [-1, 1], with the causal
 * caches in and out; each call returns one normalised latent frame (mu - mean) / std,
 * [1, z, 1, H/16, W/16]. Image-to-video needs only the first call.
 */
export async function buildVaeEncoderGraph(
  config: WanVaeConfig,
  weights: WeightStore,
  stats: LatentStats,
  options: Pick<VaeGraphOptions, 'precision' | 'debugTaps'> & { readonly unnormalisedOutput?: boolean } = {},
): Promise<StreamingGraph> {
  const precision = options.precision ?? 'float32';
  const g = new GraphBuilder('wan22_vae_encoder_stream');
  const video = g.input(ENCODER_INPUT, 'float32', [1, 3, 'frames', 'H', 'W']);
  const isFirst = g.input(IS_FIRST_INPUT, 'bool', [1]);
  const ops = new VaeGraphOps(g, weights, precision, ['H', 'W'], isFirst, options.debugTaps);
  ops.beginStep(null, isFirst);

  const dims = [1, ...config.dimMult].map((m) => m * config.dim);
  const patches = patchify(ops, video);
  let x: Activation = { name: ops.toAct(patches), channels: 12, scale: { num: 1, den: 2 } };
  ops.tap('patchified', { ...x, name: patches });
  x = ops.causalConv(x, 'encoder.conv1');
  ops.tap('conv1', x);

  const stages = config.dimMult.length;
  for (let i = 0; i < stages; i++) {
    const stage = `encoder.downsamples.${i}`;
    const down = i !== stages - 1;
    const temporal = config.temporalDownsample[i] ?? false;
    const input = x;
    let main = x;
    for (let r = 0; r < config.numResBlocks; r++) {
      main = await ops.residualBlock(main, `${stage}.downsamples.${r}`);
    }
    if (down) {
      ops.tap(`down${i}.res`, main);
      main = ops.downsample(main, `${stage}.downsamples.${config.numResBlocks}`, temporal, `down${i}`);
    }
    const shortcut = ops.avgDown(input, dims[i + 1], temporal ? 2 : 1, down ? 2 : 1);
    ops.tap(`down${i}.main`, main);
    ops.tap(`down${i}.shortcut`, shortcut);
    x = ops.add(main, shortcut);
    ops.tap(`down${i}`, x);
  }

  x = await ops.residualBlock(x, 'encoder.middle.0');
  ops.tap('middle.0', x);
  x = await ops.attention(x, 'encoder.middle.1');
  ops.tap('middle.1', x);
  x = await ops.residualBlock(x, 'encoder.middle.2');
  ops.tap('middle', x);
  x = ops.silu(await ops.rmsNorm(x, 'encoder.head.0.gamma'));
  x = ops.causalConv(x, 'encoder.head.2');
  ops.tap('head', x);
  x = ops.conv(x, 'conv1');
  ops.tap('vae_conv1', x);

  // mu = the first z channels (log_var is discarded), then (mu - mean) * (1 / std) in float32.
  ops.emitCacheOutputs(ops.endStep());
  const mu = g.op('Slice', [ops.toFloat32(x.name), g.ints([0]), g.ints([config.zDim]), g.ints([1])]);
  const shape = [1, config.zDim, 1, 1, 1];
  const normalised = g.op('Mul', [
    g.op('Sub', [mu, g.constant('float32', shape, stats.mean, 'vae_mean')]),
    g.constant('float32', shape, stats.invStd, 'vae_inv_std'),
  ]);
  const latentDims = [1, config.zDim, 'latent_frames', 'H/16', 'W/16'];
  g.output(normalised, LATENT_OUTPUT, 'float32', latentDims);
  if (options.unnormalisedOutput) g.output(mu, MU_OUTPUT, 'float32', latentDims);
  ops.emitTaps();
  return { graph: g, caches: ops.caches };
}

/** "b c f (h q) (w r) -> b (c r q) f h w" with q = r = 2. */
function patchify(ops: VaeGraphOps, x: string): string {
  const g = ops.g;
  const [t, hh, ww] = g.opN('Split', [ops.dims(x, [2, 3, 4]), g.ints([1, 1, 1])], 3, { axis: 0 });
  const h = g.op('Div', [hh, g.ints([2])]);
  const w = g.op('Div', [ww, g.ints([2])]);
  const split = g.op('Reshape', [x, ops.concatInts([[1, 3], t, h, [2], w, [2]])]); // [1, c, T, h, q, w, r]
  const moved = g.op('Transpose', [split], { perm: [0, 1, 6, 4, 2, 3, 5] }); // [1, c, r, q, T, h, w]
  return g.op('Reshape', [moved, ops.concatInts([[1, 12], t, h, w])]);
}
