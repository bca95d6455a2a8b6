import { z } from 'zod';

/** The negative prompt of the official configs (wan/configs/shared_config.py sample_neg_prompt). */
export const WAN_DEFAULT_NEGATIVE_PROMPT =
  '色调艳丽，过曝，静态，细节模糊不清，字幕，风格，作品，画作，画面，静止，整体发灰，最差质量，低质量，JPEG压缩残留，丑陋的，残缺的，多余的手指，画得不好的手部，画得不好的脸部，畸形的，毁容的，形态畸形的肢体，手指融合，静止不动的画面，杂乱的背景，三条腿，背景人很多，倒着走';

/** Sampling defaults of Wan2.2-TI2V-5B (wan/configs/wan_ti2v_5B.py, generate.py). */
export const WAN_TI2V_DEFAULTS = {
  width: 1280,
  height: 704,
  frames: 121,
  fps: 24,
  steps: 50,
  shift: 5.0,
  guidanceScale: 5.0,
  sampleSolver: 'unipc',
  negativePrompt: WAN_DEFAULT_NEGATIVE_PROMPT,
} as const;

export const MODEL_MANIFEST_FORMAT = 'cineweave.wan22.model/v1';

/** A file of the model directory; `path` is relative to the model directory (model.json's folder). */
const FileSchema = z.object({
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const ComponentSchema = z.object({
  /** The .onnx file (its external data, if any, is listed in `files` too). */
  model: z.string().min(1),
  files: z.array(FileSchema).min(1),
  precision: z.enum(['fp32', 'fp16']),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
});

export const ModelManifestSchema = z.object({
  format: z.literal(MODEL_MANIFEST_FORMAT),
  name: z.string().min(1),
  source: z.string(),
  precision: z.enum(['fp32', 'fp16']),
  target: z.enum(['cuda', 'cpu']),
  components: z.object({
    textEncoder: ComponentSchema,
    dit: ComponentSchema,
    vaeEncoder: ComponentSchema,
    vaeDecoder: ComponentSchema,
  }),
  /** Tokenizer files; their paths are relative to `dir` (itself relative to the model directory). */
  tokenizer: z.object({ dir: z.string(), files: z.array(FileSchema).min(1) }),
  dims: z.object({
    zDim: z.number().int(),
    vaeStride: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    patchSize: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
    textLen: z.number().int(),
    textDim: z.number().int(),
    ditDim: z.number().int(),
    numTrainTimesteps: z.number().int(),
  }),
  defaults: z.object({
    width: z.number().int(),
    height: z.number().int(),
    frames: z.number().int(),
    fps: z.number().int(),
    steps: z.number().int(),
    shift: z.number(),
    guidanceScale: z.number(),
    sampleSolver: z.string(),
    negativePrompt: z.string(),
    /** A distilled checkpoint's own denoising timesteps (sampleSolver dmd), e.g. [1000, 757, 522]. */
    denoisingTimesteps: z.array(z.number().int()).optional(),
  }),
});

export type ModelManifest = z.infer<typeof ModelManifestSchema>;
export type ModelComponent = ModelManifest['components']['dit'];
export type ModelComponentName = keyof ModelManifest['components'];

/** Parses model.json, listing every problem (a stale or hand-edited manifest must not half-load). */
export function parseModelManifest(json: unknown, where = 'model.json'): ModelManifest {
  const result = ModelManifestSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(
      `${where} is not a CineWeave model manifest (rebuild it with build-model):\n  ${problems.join('\n  ')}`,
    );
  }
  return result.data;
}
