// Analytic parameter and FLOP counts for the Wan 2.2 TI2V pipeline (multiply-add = 2 FLOPs;
// only matmuls, convolutions and attention are counted, so the result is a lower bound).
import {
  ditParameterShapes,
  parameterCount,
  t5ParameterShapes,
  vaeParameterShapes,
} from '../../src/build/parameter-shapes.ts';
import type { DitConfig } from '../../src/dit/dit-config.ts';
import type { T5Config } from '../../src/t5/t5-config.ts';
import type { WanVaeConfig } from '../../src/vae/vae-config.ts';

export interface VideoSize {
  readonly width: number;
  readonly height: number;
  readonly frames: number;
}

export interface PipelineShape {
  readonly latentFrames: number;
  readonly latentHeight: number;
  readonly latentWidth: number;
  readonly tokens: number;
}

export function pipelineShape(dit: DitConfig, vae: WanVaeConfig, size: VideoSize): PipelineShape {
  const spatial = 2 ** (vae.dimMult.length - 1) * 2;
  const temporal = 2 ** vae.temporalDownsample.filter(Boolean).length;
  if ((size.frames - 1) % temporal !== 0)
    throw new Error(`frames must be 1 + ${temporal}k, got ${size.frames}`);
  const [pt, ph, pw] = dit.patchSize;
  const latentFrames = (size.frames - 1) / temporal + 1;
  const latentHeight = Math.floor(size.height / spatial);
  const latentWidth = Math.floor(size.width / spatial);
  const tokens = (latentFrames / pt) * Math.floor(latentHeight / ph) * Math.floor(latentWidth / pw);
  return { latentFrames, latentHeight, latentWidth, tokens };
}

/** One WanModel forward over `tokens` tokens. */
export function ditFlopsPerCall(c: DitConfig, tokens: number): number {
  const L = tokens;
  const D = c.dim;
  const Lc = c.textLen;
  const patch = c.patchSize.reduce((a, b) => a * b, 1);
  const perLayer =
    4 * 2 * L * D * D + // self-attention q, k, v, o
    2 * 2 * L * L * D + // self-attention q.k and p.v
    2 * 2 * L * D * D + // cross-attention q, o
    2 * 2 * Lc * D * D + // cross-attention k, v over the padded context
    2 * 2 * L * Lc * D + // cross-attention q.k and p.v
    2 * 2 * L * D * c.ffnDim; // FFN
  const embed =
    2 * L * D * c.inDim * patch + // patch embedding
    2 * 2 * (c.freqDim * D + D * D + D * 6 * D) + // time MLPs, once per distinct timestep (<= 2)
    2 * Lc * (c.textDim * D + D * D) + // text embedding
    2 * L * D * patch * c.outDim; // head
  return c.numLayers * perLayer + embed;
}

/** The umT5 encoder over `tokens` tokens (the pipeline pads prompts to text_len). */
export function t5FlopsPerCall(c: T5Config, tokens: number): number {
  const L = tokens;
  const perLayer = 2 * L * c.dim * c.dimAttn * 4 + 2 * 2 * L * L * c.dimAttn + 2 * L * c.dim * c.dimFfn * 3;
  return c.numLayers * perLayer;
}

/** VAE decode of a whole clip: every convolution at its resolution, attention per frame. */
export function vaeDecodeFlops(c: WanVaeConfig, shape: PipelineShape): number {
  let t = shape.latentFrames;
  let h = shape.latentHeight;
  let w = shape.latentWidth;
  let flops = 0;
  const conv = (cin: number, cout: number, k: number, n: number): number => 2 * cin * cout * k * n;
  const res = (cin: number, cout: number): number => {
    const n = t * h * w;
    return conv(cin, cout, 27, n) + conv(cout, cout, 27, n) + (cin !== cout ? conv(cin, cout, 1, n) : 0);
  };
  const stages = c.dimMult.length;
  const dims = [c.dimMult[stages - 1], ...[...c.dimMult].reverse()].map((m) => m * c.decDim);
  const temporalUp = [...c.temporalDownsample].reverse();
  flops += conv(c.zDim, c.zDim, 1, t * h * w) + conv(c.zDim, dims[0], 27, t * h * w);
  flops +=
    2 * res(dims[0], dims[0]) + t * (2 * 4 * h * w * dims[0] * dims[0] + 2 * 2 * (h * w) ** 2 * dims[0]);
  for (let i = 0; i < stages; i++) {
    let d = dims[i];
    for (let j = 0; j < c.numResBlocks + 1; j++) {
      flops += res(d, dims[i + 1]);
      d = dims[i + 1];
    }
    if (i !== stages - 1) {
      if (temporalUp[i]) {
        flops += conv(d, 2 * d, 3, t * h * w);
        t = 2 * t - 1;
      }
      h *= 2;
      w *= 2;
      flops += conv(d, d, 9, t * h * w);
    }
  }
  flops += conv(dims[stages], 12, 27, t * h * w);
  return flops;
}

export interface FlopReport {
  readonly shape: PipelineShape;
  readonly parameters: { readonly textEncoder: number; readonly dit: number; readonly vae: number };
  readonly ditPerCall: number;
  readonly ditPerStep: number;
  readonly ditPerVideo: number;
  readonly textEncoder: number;
  readonly vaeDecode: number;
  readonly totalPerVideo: number;
  readonly lowerBoundSeconds: number;
}

export interface FlopOptions {
  readonly size: VideoSize;
  readonly steps: number;
  /** Classifier-free guidance doubles the DiT calls per step. */
  readonly cfg: boolean;
  readonly peakTflops: number;
}

export function flopReport(
  t5: T5Config,
  dit: DitConfig,
  vae: WanVaeConfig,
  options: FlopOptions,
): FlopReport {
  const shape = pipelineShape(dit, vae, options.size);
  const ditPerCall = ditFlopsPerCall(dit, shape.tokens);
  const ditPerStep = ditPerCall * (options.cfg ? 2 : 1);
  const ditPerVideo = ditPerStep * options.steps;
  const textEncoder = t5FlopsPerCall(t5, t5.maxLength) * (options.cfg ? 2 : 1);
  const vaeDecode = vaeDecodeFlops(vae, shape);
  const totalPerVideo = ditPerVideo + textEncoder + vaeDecode;
  return {
    shape,
    parameters: {
      textEncoder: parameterCount(t5ParameterShapes(t5)),
      dit: parameterCount(ditParameterShapes(dit)),
      vae: parameterCount(vaeParameterShapes(vae)),
    },
    ditPerCall,
    ditPerStep,
    ditPerVideo,
    textEncoder,
    vaeDecode,
    totalPerVideo,
    lowerBoundSeconds: totalPerVideo / (options.peakTflops * 1e12),
  };
}
