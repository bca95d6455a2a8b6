import ort from 'onnxruntime-node';
import { join } from 'node:path';
import sharp from 'sharp';
import { DenoisingLoop } from '../pipeline/denoising-loop.ts';
import type { LatentDims, TextContext } from '../pipeline/flow-model.ts';
import { bestOutputSize, imageToVideoTensor } from '../pipeline/image-input.ts';
import { OnnxFlowModel } from '../pipeline/onnx-flow-model.ts';
import { createScheduler, SAMPLER_KINDS, type SamplerKind } from '../scheduler/create-scheduler.ts';
import { trimContext } from '../t5/t5-context.ts';
import { StreamingSession } from '../vae/streaming-session.ts';
import { WanVaeDecoder, WanVaeEncoder } from '../vae/vae-codec.ts';
import { PromptTokenizer } from '../text/prompt-tokenizer.ts';
import { rgbFramesFromTensor } from './rgb-frames.ts';
import { openModelDirectory, type ModelDirectory } from './model-directory.ts';
import { seededNoise } from '../pipeline/seeded-noise.ts';
import { sessionOptionsFor, type Device } from './session-options.ts';
import { isDistilledModel, planPreset } from './presets.ts';
import {
  InvalidRenderInput,
  type DecodedVideo,
  type StageTimer,
  type Wan22RenderHooks,
  type Wan22RenderRequest,
} from './render-types.ts';

interface Sessions {
  textEncoder: ort.InferenceSession;
  dit: ort.InferenceSession;
  vaeEncoder: ort.InferenceSession;
  vaeDecoder: ort.InferenceSession;
}

/**
 * Wan 2.2 TI2V on onnxruntime: the stages of one job, top to bottom — tokenize, encode both
 * prompts, (image-to-video: encode the first frame), sample, decode frame by frame.
 */
export class Wan22Renderer {
  /** The manifest's name (e.g. `wan2.2-ti2v-5b`, or `wan2.2-ti2v-tiny` for the random test model). */
  readonly modelName: string;
  /** sha256 of model.json: names the exact weights every output came from. */
  readonly modelHash: string;

  private readonly model: ModelDirectory;
  private readonly sessions: Sessions;
  private readonly tokenizer: PromptTokenizer;
  private readonly metrics: StageTimer;

  // Plain fields, not parameter properties: this module runs type-stripped in the render thread.
  private constructor(
    model: ModelDirectory,
    sessions: Sessions,
    tokenizer: PromptTokenizer,
    metrics: StageTimer,
  ) {
    this.model = model;
    this.sessions = sessions;
    this.tokenizer = tokenizer;
    this.metrics = metrics;
    this.modelName = model.manifest.name;
    this.modelHash = `sha256:${model.hash}`;
  }

  static async load(
    options: { modelDir: string; device: Device; cudaDeviceId: number },
    metrics: StageTimer,
  ): Promise<Wan22Renderer> {
    const model = await openModelDirectory(options.modelDir);
    const { manifest } = model;
    const wanted = options.device === 'cuda' ? 'fp16' : 'fp32';
    if (manifest.precision !== wanted) {
      throw new Error(
        `${model.path('model.json')} holds ${manifest.precision} graphs but DEVICE=${options.device} runs ${wanted}: ` +
          `build the model with --precision ${wanted} --target ${options.device}`,
      );
    }
    const sessionOptions = sessionOptionsFor(options.device, options.cudaDeviceId);
    const open = (component: keyof Sessions) =>
      ort.InferenceSession.create(model.path(manifest.components[component].model), sessionOptions);
    const sessions: Sessions = {
      textEncoder: await open('textEncoder'),
      dit: await open('dit'),
      vaeEncoder: await open('vaeEncoder'),
      vaeDecoder: await open('vaeDecoder'),
    };
    const tokenizerDir = model.path(manifest.tokenizer.dir);
    const tokenizer = await PromptTokenizer.load(
      join(tokenizerDir, 'tokenizer.json'),
      manifest.tokenizer.files.some((file) => file.path === 'tokenizer_config.json')
        ? join(tokenizerDir, 'tokenizer_config.json')
        : undefined,
    );
    return new Wan22Renderer(model, sessions, tokenizer, metrics);
  }

  async render(request: Wan22RenderRequest, hooks: Wan22RenderHooks): Promise<DecodedVideo> {
    const { dims, defaults } = this.model.manifest;
    const [strideT, strideH, strideW] = dims.vaeStride;
    if ((request.frames - 1) % strideT !== 0) {
      throw new InvalidRenderInput(
        `This model renders 4k + 1 frames; ${request.frames} frames is not possible`,
      );
    }
    const size = await this.outputSize(request);
    const latentDims: LatentDims = [
      dims.zDim,
      (request.frames - 1) / strideT + 1,
      size.height / strideH,
      size.width / strideW,
    ];

    const plan = planPreset(request.preset ?? 'quality', this.model.manifest);
    if ('refused' in plan) throw new InvalidRenderInput(plan.refused);
    const distilled = isDistilledModel(this.model.manifest);
    // A distilled checkpoint samples its own way: its steps, no CFG (the job's are not used).
    const steps = distilled ? defaults.steps : request.steps;
    const guidanceScale = distilled ? 1 : request.guidanceScale;

    const context = await this.metrics.timeStage('text_encode', () => this.encodeText(request.prompt));
    const negativeContext =
      guidanceScale === 1
        ? undefined
        : await this.metrics.timeStage('text_encode', () =>
            this.encodeText(request.negativePrompt || defaults.negativePrompt),
          );
    const imageLatent = request.image
      ? await this.metrics.timeStage('image_encode', () => this.encodeImage(request.image!, size))
      : undefined;

    const kind = (SAMPLER_KINDS as readonly string[]).includes(defaults.sampleSolver)
      ? (defaults.sampleSolver as SamplerKind)
      : 'unipc';
    const noiseSeed = { next: request.seed };
    const loop = new DenoisingLoop({
      model: new OnnxFlowModel(this.sessions.dit),
      scheduler: createScheduler({
        kind,
        steps,
        shift: defaults.shift,
        timesteps: defaults.denoisingTimesteps,
        // The distilled sampler re-noises each step: further draws follow the job's seed.
        noise: (length) => seededNoise((noiseSeed.next = (noiseSeed.next + 1) >>> 0), length),
      }),
      noise: seededNoise(
        request.seed,
        latentDims.reduce((a, b) => a * b, 1),
      ),
      latentDims,
      context,
      negativeContext,
      guidanceScale,
      imageLatent,
      patchSize: dims.patchSize,
      stepCache: plan.stepCache,
    });
    const latent = await this.metrics.timeStage('sample', () =>
      loop.run({
        onStep: (step) => hooks.onStep(step.step + 1, step.totalSteps),
        // Whatever the checkpoint throws (the caller's stop) ends the loop between two steps.
        shouldCancel: async () => {
          await hooks.checkpoint();
          return false;
        },
      }),
    );

    const decoder = new WanVaeDecoder(new StreamingSession(this.sessions.vaeDecoder));
    const metrics = this.metrics;
    return {
      width: size.width,
      height: size.height,
      frameCount: 1 + strideT * (latentDims[1] - 1),
      sampling: { steps, ditCalls: loop.ditCalls.calls, cachedSteps: loop.ditCalls.cachedSteps },
      // Decoded K latent frames per call (the graph's input size) and handed to the encoder as
      // they come, so a 121-frame 720p clip never sits in memory as one float tensor.
      async *frames() {
        const end = metrics.startStage('decode');
        try {
          for await (const chunk of decoder.chunks({ data: latent, dims: latentDims })) {
            yield* rgbFramesFromTensor(chunk.video.data, chunk.video.dims);
          }
        } finally {
          end();
        }
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.sessions).map((session: ort.InferenceSession) => session.release()));
  }

  private async encodeText(prompt: string): Promise<TextContext> {
    const { textLen, textDim } = this.model.manifest.dims;
    const tokens = await this.metrics.timeStage('tokenize', () => this.tokenizer.encode(prompt, textLen));
    // Only the real tokens go through the encoder: padding keys are masked, so the real rows come
    // out the same, and the pipeline keeps only those rows anyway.
    const ids = tokens.ids.slice(0, tokens.length);
    const mask = tokens.mask.slice(0, tokens.length);
    const result = await this.sessions.textEncoder.run({
      ids: new ort.Tensor('int64', ids, [1, tokens.length]),
      mask: new ort.Tensor('int64', mask, [1, tokens.length]),
    });
    const out = result['out'];
    if (!out) throw new Error('The text encoder graph has no "out" output');
    return {
      data: trimContext(out.data as Float32Array, textDim, mask),
      tokens: tokens.length,
      dim: textDim,
    };
  }

  /** Text-to-video renders the requested size; image-to-video the official size rule for the image. */
  private async outputSize(request: Wan22RenderRequest): Promise<{ width: number; height: number }> {
    const requested = { width: request.width, height: request.height };
    if (!request.image) return requested;
    const [, strideH, strideW] = this.model.manifest.dims.vaeStride;
    const [, patchH, patchW] = this.model.manifest.dims.patchSize;
    return bestOutputSize(
      request.image.width,
      request.image.height,
      strideW * patchW,
      strideH * patchH,
      requested.width * requested.height,
    );
  }

  private async encodeImage(
    image: NonNullable<Wan22RenderRequest['image']>,
    size: { width: number; height: number },
  ): Promise<Float32Array> {
    // Cover the output size, then crop the centre (the official resize + centre crop), Lanczos.
    const fitted = await sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(size.width, size.height, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    const video = imageToVideoTensor(
      new Uint8Array(fitted.buffer, fitted.byteOffset, fitted.byteLength),
      size.width,
      size.height,
    );
    const encoder = new WanVaeEncoder(
      new StreamingSession(this.sessions.vaeEncoder),
      this.model.manifest.dims.zDim,
    );
    const latent = await encoder.encode({ data: video, dims: [3, 1, size.height, size.width] });
    return latent.data;
  }
}
