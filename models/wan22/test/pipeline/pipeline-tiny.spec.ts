import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenoiseCancelledError, DenoisingLoop, type DenoiseStep } from '../../src/pipeline/denoising-loop.ts';
import type { FlowModel, LatentDims, TextContext } from '../../src/pipeline/flow-model.ts';
import { imageToVideoTensor } from '../../src/pipeline/image-input.ts';
import { maxAbsDiff } from '../../src/reference/compare.ts';
import type { ReferenceIndex, ReferenceRunnerContext } from '../../src/reference/reference-types.ts';
import { loadPipelineModels, type PipelineModels } from '../../src/reference/runners/pipeline-tiny-cases.ts';
import { toleranceFor } from '../../src/reference/tolerance.ts';
import { SafetensorsFile } from '../../src/safetensors/index.ts';
import { FlowUniPCScheduler } from '../../src/scheduler/unipc-scheduler.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'wan22');
const file = 'pipeline-tiny-cases.safetensors';
const index = JSON.parse(readFileSync(join(fixtures, 'index.json'), 'utf8')) as ReferenceIndex;
const tolerance = (key: string) => toleranceFor(index, file, key);
const dims: LatentDims = [48, 2, 2, 2];

/**
 * The tiny WanTI2V run as the worker will drive it: umT5 contexts from the prompt ids, the image
 * through the VAE encoder, the denoising loop with a progress hook after every step, then the
 * streaming decode. The per-case check of every intermediate tensor is the pipeline-tiny-cases
 * reference runner; this test covers the hooks around it on the real graphs.
 */
// Builds ONNX graphs and runs them: give them room on a loaded CI machine.
describe('Wan 2.2 TI2V pipeline on the tiny reference models', { timeout: 120_000 }, () => {
  let models: PipelineModels;
  let cases: SafetensorsFile;
  let context: TextContext;
  let negativeContext: TextContext;

  beforeAll(async () => {
    const ctx: ReferenceRunnerContext = {
      dir: fixtures,
      file,
      entry: index.files[file],
      index,
      tolerance: (key) => toleranceFor(index, file, key),
    };
    models = await loadPipelineModels(ctx, 'tiny');
    cases = await SafetensorsFile.open(join(fixtures, file));
    const encode = async (side: string): Promise<TextContext> => {
      const data = await models.encodeText(
        await cases.readInt64(`${side}_ids`),
        await cases.readInt64(`${side}_mask`),
      );
      return { data, tokens: data.length / 64, dim: 64 };
    };
    context = await encode('pos');
    negativeContext = await encode('neg');
    return () => cases.close();
  }, 180_000);

  it('should reproduce the official image-to-video latents and video while reporting every step', async () => {
    const rgb = (await cases.read('i2v.image_u8')).data as Uint8Array;
    const image = await models.vae.encoder.encode({
      data: imageToVideoTensor(rgb, 32, 32),
      dims: [3, 1, 32, 32],
    });
    const progress: { step: number; total: number; timestep: number }[] = [];
    const loop = new DenoisingLoop({
      model: models.dit,
      scheduler: new FlowUniPCScheduler({ steps: 4, shift: 5 }),
      noise: await cases.readFloat32('i2v.noise'),
      latentDims: dims,
      context,
      negativeContext,
      guidanceScale: 5,
      imageLatent: image.data,
    });
    const latent = await loop.run({
      onStep: (s: DenoiseStep) =>
        void progress.push({ step: s.step, total: s.totalSteps, timestep: s.timestep }),
    });
    expect(progress).toEqual([
      { step: 0, total: 4, timestep: 999 },
      { step: 1, total: 4, timestep: 937 },
      { step: 2, total: 4, timestep: 833 },
      { step: 3, total: 4, timestep: 624 },
    ]);
    const expectedLatents = await cases.readFloat32('i2v.latents');
    const latentError = maxAbsDiff(latent, expectedLatents.subarray(3 * latent.length));
    const frames: number[] = [];
    const video = new Float32Array(3 * 5 * 32 * 32);
    for await (const chunk of models.vae.decoder.chunks({ data: latent, dims })) {
      frames.push(chunk.firstFrame);
      const [, n] = chunk.video.dims;
      for (let c = 0; c < 3; c++) {
        video.set(
          chunk.video.data.subarray(c * n * 1024, (c + 1) * n * 1024),
          (c * 5 + chunk.firstFrame) * 1024,
        );
      }
    }
    const videoError = maxAbsDiff(video, await cases.readFloat32('i2v.video'));
    console.info(
      `pipeline i2v: final latent ${latentError.toExponential(2)}, video ${videoError.toExponential(2)}`,
    );
    expect(frames).toEqual([0, 1]);
    expect(latentError).toBeLessThan(tolerance('latents'));
    expect(videoError).toBeLessThan(tolerance('video'));
  });

  it('should stop between steps without calling the DiT again when the worker cancels', async () => {
    let calls = 0;
    const counting: FlowModel = {
      predict: (input) => {
        calls++;
        return models.dit.predict(input);
      },
    };
    let steps = 0;
    const loop = new DenoisingLoop({
      model: counting,
      scheduler: new FlowUniPCScheduler({ steps: 4, shift: 5 }),
      noise: await cases.readFloat32('t2v.noise'),
      latentDims: dims,
      context,
      negativeContext,
      guidanceScale: 5,
    });
    const run = loop.run({ onStep: () => void steps++, shouldCancel: () => steps === 1 });
    await expect(run).rejects.toBeInstanceOf(DenoiseCancelledError);
    expect(steps).toBe(1);
    expect(calls).toBe(2);
  });
});
