import { ditConfigFromOfficial } from '../../dit/dit-config.ts';
import { buildDitGraph } from '../../dit/dit-graph.ts';
import { encodeModel } from '../../onnx/model-writer.ts';
import { createSession, i64, runSession } from '../../onnx/session.ts';
import { SafetensorsWeights } from '../../onnx/weights.ts';
import { DenoisingLoop, snapshotStep, type DenoiseStep } from '../../pipeline/denoising-loop.ts';
import type { LatentDims, TextContext } from '../../pipeline/flow-model.ts';
import { imageToVideoTensor } from '../../pipeline/image-input.ts';
import { OnnxFlowModel } from '../../pipeline/onnx-flow-model.ts';
import { createScheduler, type SamplerKind } from '../../scheduler/create-scheduler.ts';
import { t5ConfigFromReference } from '../../t5/t5-config.ts';
import { trimContext } from '../../t5/t5-context.ts';
import { buildT5EncoderGraph } from '../../t5/t5-encoder-graph.ts';
import { loadVaeInMemory } from '../../vae/load-vae.ts';
import { vaeConfigFromReference } from '../../vae/vae-config.ts';
import { wan22LatentStats } from '../../vae/vae-latent-stats.ts';
import { maxAbsDiff, maxAbsDiffInt } from '../compare.ts';
import { openReferenceCases, referenceConfig } from '../reference-io.ts';
import type { CaseResult, ReferenceRunner, ReferenceRunnerContext } from '../reference-types.ts';
import { join } from 'node:path';

interface GenerateKwargs {
  shift?: number;
  sample_solver?: string;
  sampling_steps?: number;
  guide_scale?: number;
}

type Cases = Awaited<ReturnType<typeof openReferenceCases>>;

/**
 * pipeline-tiny-cases: the tiny end-to-end WanTI2V run. The umT5 graph encodes both prompts (trimmed
 * contexts checked); for t2v and i2v the denoising loop runs with the DiT graph, UniPC and CFG from
 * the stored noise, every per-step tensor is compared (token timesteps, cond/uncond predictions,
 * guided prediction, latents), and the final latent is decoded by the streaming VAE decoder. For
 * i2v the stored RGB image is converted and encoded by the VAE encoder first.
 */
export const runner: ReferenceRunner = {
  file: 'pipeline-tiny-cases.safetensors',
  async run(ctx) {
    const variant = ctx.file.replace(/^pipeline-/, '').replace(/-cases\.safetensors$/, '');
    const models = await loadPipelineModels(ctx, variant);
    await using cases = await openReferenceCases(ctx);
    const results: CaseResult[] = [];
    const tol = (key: string) => ctx.tolerance(key);

    const contexts: Record<string, TextContext> = {};
    for (const side of ['pos', 'neg'] as const) {
      const golden = await cases.readFloat32(`${side}_context`);
      const dim = ctx.entry.tensors[`${side}_context`].shape[1];
      contexts[side] = { data: golden, tokens: golden.length / dim, dim };
      if (cases.has(`${side}_ids`)) {
        const mine = await models.encodeText(
          await cases.readInt64(`${side}_ids`),
          await cases.readInt64(`${side}_mask`),
        );
        results.push(compare(`${side}_context`, mine, golden, tol(`${side}_context`)));
      }
    }

    const kwargs =
      ((ctx.entry.meta ?? {}) as { generate_kwargs?: Record<string, GenerateKwargs> }).generate_kwargs ?? {};
    for (const mode of ['t2v', 'i2v'] as const) {
      if (!cases.has(`${mode}.noise`)) continue;
      results.push(...(await runMode(ctx, cases, models, mode, kwargs[mode] ?? {}, contexts)));
    }
    return results;
  },
};

async function runMode(
  ctx: ReferenceRunnerContext,
  cases: Cases,
  models: PipelineModels,
  mode: 't2v' | 'i2v',
  kwargs: GenerateKwargs,
  contexts: Record<string, TextContext>,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const tol = (key: string) => ctx.tolerance(key);
  const read = (name: string) => cases.readFloat32(`${mode}.${name}`);
  const dims = ctx.entry.tensors[`${mode}.noise`].shape as unknown as LatentDims;
  const stepCount = kwargs.sampling_steps ?? ctx.entry.tensors[`${mode}.timesteps`].shape[0];
  const solver = kwargs.sample_solver ?? 'unipc';
  if (solver !== 'unipc')
    throw new Error(`${mode}: the reference uses sampler "${solver}", only unipc is reproduced`);
  const scheduler = createScheduler({
    kind: solver as SamplerKind,
    steps: stepCount,
    shift: kwargs.shift ?? 5,
  });
  results.push(
    exact(
      `${mode}.timesteps`,
      maxAbsDiffInt(scheduler.timesteps, await cases.readInt64(`${mode}.timesteps`)),
    ),
  );
  results.push(exact(`${mode}.sigmas`, maxAbsDiff(scheduler.sigmas, await read('sigmas'))));

  let imageLatent: Float32Array | undefined;
  if (mode === 'i2v') {
    const [height, width] = ctx.entry.tensors['i2v.image_u8'].shape;
    const rgb = (await cases.read('i2v.image_u8')).data as Uint8Array;
    const image = imageToVideoTensor(rgb, width, height);
    results.push(exact('i2v.image', maxAbsDiff(image, await read('image'))));
    const z = await models.vae.encoder.encode({ data: image, dims: [3, 1, height, width] });
    imageLatent = z.data;
    results.push(compare('i2v.z', imageLatent, await read('z'), tol('i2v.z')));
  }

  const loop = new DenoisingLoop({
    model: models.dit,
    scheduler,
    noise: await read('noise'),
    latentDims: dims,
    context: contexts['pos'],
    negativeContext: contexts['neg'],
    guidanceScale: kwargs.guide_scale ?? 5,
    imageLatent,
  });
  results.push(
    compare(`${mode}.init_latent`, loop.initialLatent(), await read('init_latent'), tol('latents')),
  );
  const steps: DenoiseStep[] = [];
  const final = await loop.run({ onStep: (s) => void steps.push(snapshotStep(s)) });
  const stacked = (pick: (s: DenoiseStep) => Float32Array | undefined) => {
    const parts = steps.map((s) => pick(s) ?? new Float32Array());
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const tokens = stacked((s) => s.tokenTimesteps);
  results.push(
    exact(
      `${mode}.seq_len`,
      maxAbsDiffInt([steps[0].tokenTimesteps.length], await cases.readInt64(`${mode}.seq_len`)),
    ),
  );
  results.push(exact(`${mode}.t_tokens`, maxAbsDiff(tokens, await read('t_tokens'))));
  results.push(
    compare(
      `${mode}.pred_cond`,
      stacked((s) => s.predCond),
      await read('pred_cond'),
      tol('pred_cond'),
    ),
  );
  results.push(
    compare(
      `${mode}.pred_uncond`,
      stacked((s) => s.predUncond),
      await read('pred_uncond'),
      tol('pred_uncond'),
    ),
  );
  results.push(
    compare(
      `${mode}.noise_pred`,
      stacked((s) => s.noisePred),
      await read('noise_pred'),
      tol('noise_pred'),
    ),
  );
  results.push(
    compare(
      `${mode}.latents`,
      stacked((s) => s.latent),
      await read('latents'),
      tol('latents'),
    ),
  );

  const video = await models.vae.decoder.decode({ data: final, dims });
  results.push(compare(`${mode}.video`, video.data, await read('video'), tol('video')));
  return results;
}

export interface PipelineModels {
  dit: OnnxFlowModel;
  vae: Awaited<ReturnType<typeof loadVaeInMemory>>;
  encodeText(ids: BigInt64Array, mask: BigInt64Array): Promise<Float32Array>;
}

/** DiT, VAE and umT5 graphs from the `<model>-<variant>.safetensors` weights in the reference dir. */
export async function loadPipelineModels(
  ctx: ReferenceRunnerContext,
  variant: string,
): Promise<PipelineModels> {
  const file = (model: string) => `${model}-${variant}.safetensors`;
  const open = (model: string) => SafetensorsWeights.open([join(ctx.dir, file(model))]);

  const ditWeights = await open('dit');
  const ditConfig = ditConfigFromOfficial(await referenceConfig(ctx, file('dit')));
  const ditBytes = await encodeModel(
    buildDitGraph(ditConfig, ditWeights, { dtype: 'float32', fusedAttention: false }),
  ).finally(() => ditWeights.close());
  const dit = new OnnxFlowModel(await createSession(ditBytes));

  const vaeWeights = await open('vae');
  const vaeConfig = vaeConfigFromReference((await referenceConfig(ctx, file('vae'))) as never);
  const vae = await loadVaeInMemory(vaeConfig, vaeWeights, wan22LatentStats()).finally(() =>
    vaeWeights.close(),
  );

  const t5Weights = await open('t5');
  const t5Config = t5ConfigFromReference(await referenceConfig(ctx, file('t5')));
  const t5Bytes = await encodeModel(buildT5EncoderGraph(t5Config, t5Weights, { dtype: 'float32' })).finally(
    () => t5Weights.close(),
  );
  const t5 = await createSession(t5Bytes);
  const encodeText = async (ids: BigInt64Array, mask: BigInt64Array) => {
    const out = await runSession(t5, { ids: i64([1, ids.length], ids), mask: i64([1, mask.length], mask) });
    return trimContext(out['out'].data as Float32Array, t5Config.dim, mask);
  };
  return { dit, vae, encodeText };
}

function compare(name: string, actual: Float32Array, expected: Float32Array, tolerance: number): CaseResult {
  if (actual.length !== expected.length) {
    return {
      name,
      maxAbsError: Number.NaN,
      tolerance,
      failure: `${actual.length} values, expected ${expected.length}`,
    };
  }
  return { name, maxAbsError: maxAbsDiff(actual, expected), tolerance };
}

function exact(name: string, error: number): CaseResult {
  return error === 0
    ? { name, maxAbsError: 0, tolerance: 0 }
    : { name, maxAbsError: error, tolerance: 0, failure: 'must match exactly' };
}
