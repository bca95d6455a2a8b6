// The real-size case of bench/worker-step: the host side of a denoising step at 1280x704x121
// (latent 48x31x44x80, i2v, CFG 5, UniPC) with a stand-in model call, so that only the
// JavaScript around the DiT is timed. Runs the loop as it was before issue 18 and the current
// one in the same process, and checks that both give the same bits.
import type { FlowModel, FlowModelInput, LatentDims } from '../../models/wan22/src/pipeline/flow-model.ts';
import { DenoisingLoop } from '../../models/wan22/src/pipeline/denoising-loop.ts';
import { replaceFirstFrame } from '../../models/wan22/src/pipeline/first-frame.ts';
import { seededNoise } from '../../models/wan22/src/pipeline/seeded-noise.ts';
import { tokenTimesteps } from '../../models/wan22/src/pipeline/token-timesteps.ts';
import { FlowUniPCScheduler } from '../../models/wan22/src/scheduler/unipc-scheduler.ts';
import { Pre18UniPCScheduler } from './pre-18-unipc.ts';

export const REAL_LATENT: LatentDims = [48, 31, 44, 80];

/**
 * Stands in for the DiT: returns a fresh array (as onnxruntime does) holding a cheap function of
 * the latent and the context, so that consecutive steps differ as they would. Its time is counted
 * apart and left out of the host figure.
 */
class StandInModel implements FlowModel {
  modelMs = 0;
  async predict(input: FlowModelInput): Promise<Float32Array> {
    const started = performance.now();
    const out = new Float32Array(input.latent.length);
    const bias = input.context.data[0] * 0.01 + input.tokenTimesteps[input.tokenTimesteps.length - 1] * 1e-4;
    for (let j = 0; j < out.length; j++) out[j] = input.latent[j] * 0.9 + bias;
    this.modelMs += performance.now() - started;
    return out;
  }
}

export interface HostLoopResult {
  readonly hostMsPerStep: number;
  readonly final: Float32Array;
}

const context = (tokens: number, seed: number) => ({ data: seededNoise(seed, tokens * 8), tokens, dim: 8 });

function inputs(dims: LatentDims) {
  const size = dims[0] * dims[1] * dims[2] * dims[3];
  return {
    noise: seededNoise(1, size),
    image: seededNoise(4, dims[0] * dims[2] * dims[3]),
    pos: context(24, 2),
    neg: context(40, 3),
  };
}

/** The pre-issue-18 loop: a new array per CFG combine, per UniPC operation and per frame pin. */
export async function runPre18(dims: LatentDims, steps: number): Promise<HostLoopResult> {
  const model = new StandInModel();
  const { noise, image, pos, neg } = inputs(dims);
  const scheduler = new Pre18UniPCScheduler({ steps, shift: 5 });
  const started = performance.now();
  let latent = replaceFirstFrame(noise, dims, image);
  for (let step = 0; step < steps; step++) {
    const tokens = tokenTimesteps(dims, [1, 2, 2], scheduler.timesteps[step], true);
    const input = { latent, latentDims: dims, tokenTimesteps: tokens };
    const cond = await model.predict({ ...input, context: pos });
    const uncond = await model.predict({ ...input, context: neg });
    const guided = new Float32Array(cond.length);
    for (let i = 0; i < guided.length; i++) {
      guided[i] = Math.fround(uncond[i] + Math.fround(5 * Math.fround(cond[i] - uncond[i])));
    }
    latent = replaceFirstFrame(scheduler.step(guided, latent), dims, image);
  }
  const wall = performance.now() - started;
  return { hostMsPerStep: (wall - model.modelMs) / steps, final: latent };
}

/** The current loop (models/wan22 DenoisingLoop), same inputs. */
export async function runCurrent(dims: LatentDims, steps: number): Promise<HostLoopResult> {
  const model = new StandInModel();
  const { noise, image, pos, neg } = inputs(dims);
  const started = performance.now();
  const final = await new DenoisingLoop({
    model,
    scheduler: new FlowUniPCScheduler({ steps, shift: 5 }),
    noise,
    latentDims: dims,
    context: pos,
    negativeContext: neg,
    guidanceScale: 5,
    imageLatent: image,
  }).run();
  const wall = performance.now() - started;
  return { hostMsPerStep: (wall - model.modelMs) / steps, final };
}

export function identicalBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
