import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DenoisingLoop } from '../pipeline/denoising-loop.ts';
import type { LatentDims, TextContext } from '../pipeline/flow-model.ts';
import type { StepCacheOptions } from '../pipeline/step-cache.ts';
import { createScheduler } from '../scheduler/create-scheduler.ts';
import { openReferenceCases } from './reference-io.ts';
import type { ReferenceIndex, ReferenceRunnerContext } from './reference-types.ts';
import { loadPipelineModels, type PipelineModels } from './runners/pipeline-tiny-cases.ts';

export interface StepCacheRow {
  readonly threshold: number;
  readonly ditCalls: number;
  readonly skippedFraction: number;
  readonly latentMaxError: number;
  readonly latentMeanError: number;
  readonly videoMaxError: number;
  readonly videoMeanError: number;
}

/**
 * The tiny reference pipeline (the official tiny weights and t2v inputs of
 * pipeline-tiny-cases.safetensors), sampled with `steps` UniPC steps and CFG 5 without a step
 * cache and then with each threshold: DiT calls, and the error of the final latent and the decoded
 * video against the full run.
 */
export class StepCacheStudy {
  private readonly models: PipelineModels;
  private readonly inputs: { noise: Float32Array; dims: LatentDims; pos: TextContext; neg: TextContext };
  private full: { latent: Float32Array; video: Float32Array; calls: number } | null = null;
  private readonly steps: number;

  private constructor(models: PipelineModels, inputs: StepCacheStudy['inputs'], steps: number) {
    this.models = models;
    this.inputs = inputs;
    this.steps = steps;
  }

  static async open(referenceDir: string, steps = 50): Promise<StepCacheStudy> {
    const index = JSON.parse(await readFile(join(referenceDir, 'index.json'), 'utf8')) as ReferenceIndex;
    const file = 'pipeline-tiny-cases.safetensors';
    const ctx: ReferenceRunnerContext = {
      dir: referenceDir,
      file,
      entry: index.files[file],
      index,
      tolerance: () => 0,
    };
    const models = await loadPipelineModels(ctx, 'tiny');
    await using cases = await openReferenceCases(ctx);
    const context = async (side: string): Promise<TextContext> => {
      const data = await cases.readFloat32(`${side}_context`);
      const dim = ctx.entry.tensors[`${side}_context`].shape[1];
      return { data, tokens: data.length / dim, dim };
    };
    const inputs = {
      noise: await cases.readFloat32('t2v.noise'),
      dims: ctx.entry.tensors['t2v.noise'].shape as unknown as LatentDims,
      pos: await context('pos'),
      neg: await context('neg'),
    };
    return new StepCacheStudy(models, inputs, steps);
  }

  private async sample(stepCache?: StepCacheOptions) {
    const loop = new DenoisingLoop({
      model: this.models.dit,
      scheduler: createScheduler({ kind: 'unipc', steps: this.steps, shift: 5 }),
      noise: this.inputs.noise,
      latentDims: this.inputs.dims,
      context: this.inputs.pos,
      negativeContext: this.inputs.neg,
      guidanceScale: 5,
      stepCache,
    });
    const latent = (await loop.run()).slice();
    const video = (await this.models.vae.decoder.decode({ data: latent, dims: this.inputs.dims })).data;
    return { latent, video, calls: loop.ditCalls.calls };
  }

  async fullRunCalls(): Promise<number> {
    this.full ??= await this.sample();
    return this.full.calls;
  }

  async row(options: StepCacheOptions): Promise<StepCacheRow> {
    this.full ??= await this.sample();
    const run = await this.sample(options);
    const [latentMax, latentMean] = errors(run.latent, this.full.latent);
    const [videoMax, videoMean] = errors(run.video, this.full.video);
    return {
      threshold: options.threshold,
      ditCalls: run.calls,
      skippedFraction: 1 - run.calls / this.full.calls,
      latentMaxError: latentMax,
      latentMeanError: latentMean,
      videoMaxError: videoMax,
      videoMeanError: videoMean,
    };
  }
}

function errors(a: Float32Array, b: Float32Array): [number, number] {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return [max, sum / a.length];
}
