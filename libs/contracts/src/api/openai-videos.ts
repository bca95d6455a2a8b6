import { z } from 'zod';
import {
  boundedInt,
  boundedNumber,
  JOB_LIMITS,
  ModelIdSchema,
  PromptSchema,
  promptText,
  RenderPresetSchema,
  RESOLUTIONS,
} from '../jobs/job-parameters.ts';

// The OpenAI-shaped videos API (`/v1/videos`) as OpenAI documents it and vLLM-Omni serves it:
// the wire shapes a client of either sees. CineWeave serves it as a façade over `/v1/jobs`.

export const OPENAI_VIDEO_STATUSES = ['queued', 'in_progress', 'completed', 'failed'] as const;
export const OpenAiVideoStatusSchema = z.enum(OPENAI_VIDEO_STATUSES);
export type OpenAiVideoStatus = z.infer<typeof OpenAiVideoStatusSchema>;

/** OpenAI's Video object; times are Unix seconds. */
export const OpenAiVideoSchema = z.object({
  id: z.string(),
  object: z.literal('video'),
  status: OpenAiVideoStatusSchema,
  /** 0–100. */
  progress: z.number().min(0).max(100),
  model: z.string(),
  prompt: z.string().nullable(),
  /** `WIDTHxHEIGHT`. */
  size: z.string(),
  /** The clip's length in seconds, as a string (OpenAI's own type). */
  seconds: z.string(),
  created_at: z.int(),
  completed_at: z.int().nullable(),
  /** When the outputs are deleted (CineWeave's retention); null until the video completes. */
  expires_at: z.int().nullable(),
  remixed_from_video_id: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type OpenAiVideo = z.infer<typeof OpenAiVideoSchema>;

/** `GET /v1/videos`: a cursor page in OpenAI's list shape (the next page is `after=last_id`). */
export const OpenAiVideoListSchema = z.object({
  object: z.literal('list'),
  data: z.array(OpenAiVideoSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
export type OpenAiVideoList = z.infer<typeof OpenAiVideoListSchema>;

/** `DELETE /v1/videos/{id}`. */
export const OpenAiVideoDeletedSchema = z.object({
  id: z.string(),
  object: z.literal('video.deleted'),
  deleted: z.literal(true),
});
export type OpenAiVideoDeleted = z.infer<typeof OpenAiVideoDeletedSchema>;

/** A form field arrives as a string; JSON may send the number itself. */
function numberField<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    schema,
  );
}

/**
 * `POST /v1/videos`, as JSON or as multipart/form-data (what the `openai` client sends), with the
 * image as the file field `input_reference` or, in JSON, `input_reference.image_url` (an http(s) or
 * data: URL) or `input_reference.file_id` (the id of a `POST /v1/uploads` image). OpenAI's
 * fields, then CineWeave's extras under their snake_case names. Unknown fields are refused.
 */
export const OpenAiVideoCreateRequestSchema = z.strictObject({
  prompt: PromptSchema,
  model: ModelIdSchema.optional(),
  size: z.enum(RESOLUTIONS, { error: () => `size must be one of ${RESOLUTIONS.join(', ')}` }).optional(),
  seconds: numberField(boundedInt('seconds', JOB_LIMITS.durationSeconds)).optional(),
  input_reference: z
    .strictObject({
      image_url: z.string().min(1).optional(),
      file_id: z.uuid({ error: 'input_reference.file_id must be the id of an upload' }).optional(),
    })
    .refine((reference) => (reference.image_url === undefined) !== (reference.file_id === undefined), {
      error: 'input_reference must have exactly one of image_url or file_id',
    })
    .optional(),
  negative_prompt: promptText('negative_prompt', 0).optional(),
  seed: numberField(boundedInt('seed', JOB_LIMITS.seed)).optional(),
  steps: numberField(boundedInt('steps', JOB_LIMITS.steps)).optional(),
  guidance_scale: numberField(boundedNumber('guidance_scale', JOB_LIMITS.guidanceScale)).optional(),
  fps: numberField(boundedInt('fps', JOB_LIMITS.fps)).optional(),
  preset: RenderPresetSchema.optional(),
});
export type OpenAiVideoCreateRequest = z.input<typeof OpenAiVideoCreateRequestSchema>;

export const OpenAiVideoListQuerySchema = z.strictObject({
  after: z.uuid({ error: 'after must be a video id' }).optional(),
  limit: numberField(z.int().min(1).max(100)).default(20),
  order: z
    .enum(['desc'], { error: 'order must be desc (newest first), the only order offered' })
    .default('desc'),
});

export const OpenAiVideoContentQuerySchema = z.strictObject({
  variant: z
    .enum(['video', 'thumbnail'], { error: 'variant must be video or thumbnail (no spritesheet is made)' })
    .default('video'),
});
