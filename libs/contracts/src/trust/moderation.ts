import { z } from 'zod';
import { pageOf } from '../api/page.ts';

/**
 * The OpenAI moderation API's shape (`POST /v1/moderations`), which Llama Guard and similar
 * servers run by a customer also speak. Input is a string, strings, or multimodal parts; an image
 * travels as a data URL.
 */
export const ModerationInputPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
]);
export type ModerationInputPart = z.infer<typeof ModerationInputPartSchema>;

export const ModerationRequestSchema = z.object({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(z.string()), z.array(ModerationInputPartSchema)]),
});
export type ModerationRequest = z.infer<typeof ModerationRequestSchema>;

export const ModerationResultSchema = z.object({
  flagged: z.boolean(),
  categories: z.record(z.string(), z.boolean()),
  category_scores: z.record(z.string(), z.number()).default({}),
});
export const ModerationResponseSchema = z.object({
  id: z.string().optional(),
  model: z.string().optional(),
  results: z.array(ModerationResultSchema).min(1),
});
export type ModerationResponse = z.infer<typeof ModerationResponseSchema>;

/** What happens to a job when the external classifier cannot answer in time. */
export const ModerationFailModeSchema = z.enum(['open', 'closed']);
export type ModerationFailMode = z.infer<typeof ModerationFailModeSchema>;

/** `GET/PUT /v1/admin/moderation/policy`: the install's policy (an organization's, once those exist). */
export const ModerationPolicySchema = z.strictObject({
  /** Case-insensitive whole-word terms; a prompt containing one is refused. */
  terms: z.array(z.string().trim().min(1).max(200)).max(1000).default([]),
  /** JavaScript regular expressions (flag `i` applied); checked against prompt and negative prompt. */
  patterns: z
    .array(
      z
        .string()
        .min(1)
        .max(500)
        .refine(
          (source) => {
            try {
              new RegExp(source, 'iu');
              return true;
            } catch {
              return false;
            }
          },
          { error: 'must be a valid regular expression' },
        ),
    )
    .max(200)
    .default([]),
  /** Overrides MODERATION_FAIL_MODE when set; null falls back to the install's env. */
  failMode: ModerationFailModeSchema.nullable().default(null),
});
export type ModerationPolicy = z.infer<typeof ModerationPolicySchema>;
export const ModerationPolicyViewSchema = ModerationPolicySchema.extend({
  /** The fail mode in force (policy's or env's). */
  effectiveFailMode: ModerationFailModeSchema,
  classifierConfigured: z.boolean(),
  updatedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ModerationPolicyView = z.infer<typeof ModerationPolicyViewSchema>;

export const ModerationStageSchema = z.enum(['input', 'output']);
export const ModerationOutcomeSchema = z.enum(['refused', 'allowed-on-error', 'refused-on-error']);

/** One recorded decision (`GET /v1/admin/moderation/decisions`): refusals and provider failures. */
export const ModerationDecisionViewSchema = z.object({
  id: z.uuid(),
  stage: ModerationStageSchema,
  outcome: ModerationOutcomeSchema,
  provider: z.string(),
  categories: z.array(z.string()),
  userId: z.string().nullable(),
  jobId: z.uuid().nullable(),
  detail: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type ModerationDecisionView = z.infer<typeof ModerationDecisionViewSchema>;
export const ModerationDecisionPageSchema = pageOf(ModerationDecisionViewSchema);
