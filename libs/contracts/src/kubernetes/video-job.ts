import { z } from 'zod';
import {
  DurationSecondsSchema,
  FpsSchema,
  GuidanceScaleSchema,
  ModelIdSchema,
  NegativePromptSchema,
  PromptSchema,
  RenderPresetSchema,
  ResolutionSchema,
  SeedSchema,
  StepsSchema,
  UuidSchema,
} from '../jobs/job-parameters.ts';
import type { JobStatus } from '../jobs/job-status.ts';
import { ConditionSchema } from './conditions.ts';

export const IMAGE_SOURCE_ERROR = 'image must have exactly one of uploadId, url or s3Key';

/** Input image of an image-to-video VideoJob: exactly one source. */
export const VideoJobImageSchema = z
  .union(
    [
      z.strictObject({
        uploadId: UuidSchema.describe('Id of an image uploaded through the API (POST /v1/uploads).'),
      }),
      z.strictObject({
        url: z
          .url({ protocol: /^https?$/, error: 'image.url must be an http(s) URL' })
          .describe('http(s) URL the API downloads the image from.'),
      }),
      z.strictObject({
        s3Key: z
          .string()
          .min(1)
          .max(1024)
          .describe("Key of an object in the platform's bucket that holds the image."),
      }),
    ],
    { error: IMAGE_SOURCE_ERROR },
  )
  .describe('Input image for image-to-video; omit for text-to-video. Exactly one of uploadId, url or s3Key.');

export const VideoJobSpecSchema = z.strictObject({
  prompt: PromptSchema.describe('What the video shows: subject, action, scene, camera, style.'),
  negativePrompt: NegativePromptSchema.optional().describe(
    'What the video should avoid (artefacts, styles, objects).',
  ),
  image: VideoJobImageSchema.optional(),
  resolution: ResolutionSchema.optional().describe(
    "Output size, width x height in pixels, among the model's (1280x704 and 704x1280 are the sizes Wan 2.2 was trained for). Left out: the model's default.",
  ),
  durationSeconds: DurationSecondsSchema.optional().describe(
    "Length of the clip in seconds. Left out: the model's default.",
  ),
  fps: FpsSchema.optional().describe("Frames per second of the output video. Left out: the model's default."),
  seed: SeedSchema.optional().describe(
    'Random seed; the same seed and spec give the same video. Random when omitted.',
  ),
  steps: StepsSchema.optional().describe(
    "Denoising steps: more is slower and finer. Left out: the model's own default (its catalog entry).",
  ),
  guidanceScale: GuidanceScaleSchema.optional().describe(
    "Classifier-free guidance: how closely the video follows the prompt. Left out: the model's own default (1 for distilled models).",
  ),
  model: ModelIdSchema.optional().describe(
    "Model id from the installation's catalog (GET /v1/models); a WorkerPool serving this model renders the job. Left out: the installation's default model, or the first serving the preset.",
  ),
  preset: RenderPresetSchema.optional().describe(
    "Speed against fidelity: quality (the model's own sampling), balanced (step caching) or fast (a few-step distilled model such as fastwan2.2-ti2v-5b). Left out: the model's first preset.",
  ),
  /** Higher runs sooner among an account's waiting jobs. */
  priority: z
    .int()
    .min(0)
    .max(100)
    .default(50)
    .describe("Higher runs sooner among the account's waiting jobs (0-100)."),
});
export type VideoJobSpec = z.output<typeof VideoJobSpecSchema>;

export const VIDEOJOB_PHASES = [
  'Pending',
  'Queued',
  'Running',
  'Succeeded',
  'Failed',
  'Cancelled',
  'Expired',
] as const;
export const VideoJobPhaseSchema = z.enum(VIDEOJOB_PHASES);
export type VideoJobPhase = z.infer<typeof VideoJobPhaseSchema>;

const PHASE_BY_STATUS: Readonly<Record<JobStatus, VideoJobPhase>> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/** The VideoJob phase that mirrors an API job status. */
export function phaseForStatus(status: JobStatus): VideoJobPhase {
  return PHASE_BY_STATUS[status];
}

export const VideoJobOutputSchema = z
  .strictObject({
    objectKey: z.string().describe('Object key of the MP4 in the platform bucket.'),
    thumbnailKey: z.string().describe('Object key of the thumbnail image.'),
    url: z.string().optional().describe('Presigned download URL of the video, valid until expiresAt.'),
    thumbnailUrl: z
      .string()
      .optional()
      .describe('Presigned download URL of the thumbnail, valid until expiresAt.'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the presigned URLs stop working; the operator replaces them before then.'),
  })
  .describe('Where the rendered video is stored.');

export const VideoJobStatusSchema = z.strictObject({
  phase: VideoJobPhaseSchema.optional().describe('Where the job is in its life.'),
  progress: z.int().min(0).max(100).optional().describe('Rendering progress in percent.'),
  queuePosition: z.int().min(0).optional().describe('Jobs ahead of this one while Queued.'),
  queueEtaSeconds: z
    .int()
    .min(0)
    .optional()
    .describe(
      "While Queued: estimated seconds until the video is done, from the model's recent render times.",
    ),
  jobId: UuidSchema.optional().describe('Id of the job in the CineWeave API.'),
  model: z
    .string()
    .optional()
    .describe('Model that renders the video: spec.model, or the one the API chose when the spec names none.'),
  output: VideoJobOutputSchema.optional(),
  creditsReserved: z.int().min(0).optional().describe('Credits held for the job while it runs.'),
  creditsCharged: z.int().min(0).optional().describe('Credits captured when the job succeeded.'),
  gpuSeconds: z.number().min(0).optional().describe('GPU time the render used, in seconds.'),
  startTime: z.iso.datetime({ offset: true }).optional().describe('When a worker started rendering.'),
  completionTime: z.iso.datetime({ offset: true }).optional().describe('When the job reached a final phase.'),
  message: z.string().optional().describe('Human-readable detail about the current phase.'),
  observedGeneration: z.int().min(0).optional().describe('metadata.generation the operator last reconciled.'),
  conditions: z
    .array(ConditionSchema)
    .optional()
    .describe('Accepted, Queued, Complete and Failed, in metav1.Condition shape.'),
});
export type VideoJobStatus = z.infer<typeof VideoJobStatusSchema>;
