import { z } from 'zod';
import { WebhookUrlSchema } from '../webhooks/webhook-url.ts';

/** The model every job runs unless it names another one. */
export const DEFAULT_MODEL_ID = 'wan2.2-ti2v-5b';

/**
 * Output sizes, width x height. 1280x704 / 704x1280 are the sizes TI2V-5B was trained for;
 * the smaller ones are quick drafts. Every side is a multiple of 32 (VAE stride 16 x patch 2).
 */
export const RESOLUTIONS = ['1280x704', '704x1280', '640x352', '352x640'] as const;
export const ResolutionSchema = z.enum(RESOLUTIONS, {
  error: () => `resolution must be one of ${RESOLUTIONS.join(', ')}`,
});
export type Resolution = z.infer<typeof ResolutionSchema>;

/**
 * What a job trades between speed and fidelity. `quality`: the model's own sampling (Wan2.2-TI2V-5B:
 * 50 UniPC steps with CFG); `balanced`: the same with step caching; `fast`: a few-step distilled model
 * (fastwan2.2-ti2v-5b). Which presets a model takes is in its catalog entry.
 */
export const RENDER_PRESETS = ['quality', 'balanced', 'fast'] as const;
export const RenderPresetSchema = z.enum(RENDER_PRESETS, {
  error: () => `preset must be one of ${RENDER_PRESETS.join(', ')}`,
});
export type RenderPreset = z.infer<typeof RenderPresetSchema>;

export const JOB_LIMITS = {
  promptMaxLength: 2000,
  durationSeconds: { min: 1, max: 10 },
  fps: { min: 8, max: 30 },
  steps: { min: 1, max: 100 },
  guidanceScale: { min: 0, max: 20 },
  seed: { min: 0, max: 0xffff_ffff },
} as const;

export const JOB_DEFAULTS = {
  resolution: '1280x704',
  durationSeconds: 5,
  fps: 24,
  steps: 50,
  guidanceScale: 5,
  model: DEFAULT_MODEL_ID,
} as const satisfies {
  resolution: Resolution;
  durationSeconds: number;
  fps: number;
  steps: number;
  guidanceScale: number;
  model: string;
};

export function parseResolution(resolution: Resolution): { width: number; height: number } {
  const [width, height] = resolution.split('x').map(Number) as [number, number];
  return { width, height };
}

/**
 * Frames for a clip: the Wan VAE compresses time 4x causally, so a clip has 4k + 1 frames
 * (5 s at 24 fps -> 121, the model's default).
 */
export function frameCount(durationSeconds: number, fps: number): number {
  return 4 * Math.round((durationSeconds * fps) / 4) + 1;
}

// Control characters other than tab and newline have no meaning in a prompt; they are
// usually a sign of binary garbage or an injection attempt, so they are refused rather than
// silently stripped.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function promptText(field: string, min: number) {
  return z
    .string({ error: `${field} must be a string` })
    .trim()
    .min(min, { error: min === 1 ? `${field} must not be empty` : `${field} is too short` })
    .max(JOB_LIMITS.promptMaxLength, {
      error: `${field} must be at most ${JOB_LIMITS.promptMaxLength} characters`,
    })
    .refine((text) => !CONTROL_CHARACTERS.test(text), {
      error: `${field} must not contain control characters`,
    });
}

export const PromptSchema = promptText('prompt', 1);
export const NegativePromptSchema = promptText('negativePrompt', 0);

export function boundedInt(field: string, { min, max }: { min: number; max: number }) {
  return z
    .int({ error: `${field} must be a whole number` })
    .min(min, { error: `${field} must be at least ${min}` })
    .max(max, { error: `${field} must be at most ${max}` });
}

export function boundedNumber(field: string, { min, max }: { min: number; max: number }) {
  return z
    .number({ error: `${field} must be a number` })
    .min(min, { error: `${field} must be at least ${min}` })
    .max(max, { error: `${field} must be at most ${max}` });
}

export const DurationSecondsSchema = boundedInt('durationSeconds', JOB_LIMITS.durationSeconds);
export const FpsSchema = boundedInt('fps', JOB_LIMITS.fps);
export const StepsSchema = boundedInt('steps', JOB_LIMITS.steps);
export const GuidanceScaleSchema = boundedNumber('guidanceScale', JOB_LIMITS.guidanceScale);
export const SeedSchema = boundedInt('seed', JOB_LIMITS.seed);
export const ModelIdSchema = z
  .string({ error: 'model must be a string' })
  .regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, {
    error: 'model must be a lower-case id of letters, digits, dots and dashes (at most 63 characters)',
  });

export const UuidSchema = z.uuid({ error: 'must be a UUID' });

/** Body of `POST /v1/jobs`. Unknown fields are refused so that typos do not pass silently. */
export const CreateJobRequestSchema = z.strictObject({
  prompt: PromptSchema,
  negativePrompt: NegativePromptSchema.optional(),
  imageUploadId: UuidSchema.optional(),
  // Left out: the model's own defaults (its catalog entry), applied at admission.
  resolution: ResolutionSchema.optional(),
  durationSeconds: DurationSecondsSchema.optional(),
  fps: FpsSchema.optional(),
  seed: SeedSchema.optional(),
  steps: StepsSchema.optional(),
  guidanceScale: GuidanceScaleSchema.optional(),
  /** Left out: the install's default model (the API's DEFAULT_MODEL), or the first that serves `preset`. */
  model: ModelIdSchema.optional(),
  /** quality (the model's own sampling), balanced (step caching) or fast (a distilled model). */
  preset: RenderPresetSchema.optional(),
  /** Where this job's events are also sent (every `job.*` event), signed like any webhook. */
  webhookUrl: WebhookUrlSchema.optional(),
});
export type CreateJobRequest = z.input<typeof CreateJobRequestSchema>;
export type JobParameters = z.output<typeof CreateJobRequestSchema>;

/** A job as admitted: the model chosen and every default applied from its catalog entry. */
export type AdmittedJobParameters = JobParameters & {
  resolution: Resolution;
  durationSeconds: number;
  fps: number;
  steps: number;
  guidanceScale: number;
  model: string;
  preset: RenderPreset;
};
