import { z } from 'zod';
import { JobViewSchema } from '../api/api-shapes.ts';
import { listOf, pageOf } from '../api/page.ts';
import { WebhookUrlSchema } from './webhook-url.ts';

export { WebhookUrlSchema };

/**
 * Outgoing webhooks, after the Standard Webhooks specification (standardwebhooks.com): every
 * request carries `webhook-id`, `webhook-timestamp` and `webhook-signature` headers, signed with
 * a `whsec_` secret, and a JSON body `{ type, timestamp, data }`.
 */
export const WEBHOOK_EVENT_TYPES = [
  'job.queued',
  'job.started',
  'job.progress',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'credits.low',
] as const;
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES, {
  error: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** `job.progress` is sent at most once per this many percentage points, so a 50-step job sends ~10. */
export const WEBHOOK_PROGRESS_STEP_PERCENT = 10;

/** The BullMQ queue the API delivers webhooks from (internal to the API, named here with the others). */
export const WEBHOOK_QUEUE = 'webhook-deliveries';

/** A secret as Standard Webhooks writes it: `whsec_` and base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;

const EventTypesSchema = z
  .array(WebhookEventTypeSchema, { error: 'eventTypes must be a list of event types' })
  .min(1, { error: 'eventTypes must name at least one event type' })
  .max(WEBHOOK_EVENT_TYPES.length)
  .transform((types) => [...new Set(types)]);

const DescriptionSchema = z
  .string({ error: 'description must be a string' })
  .trim()
  .max(200, { error: 'description must be at most 200 characters' })
  // eslint-disable-next-line no-control-regex
  .refine((text) => !/[\u0000-\u001f\u007f]/.test(text), {
    error: 'description must not contain control characters',
  });

const CreditsLowThresholdSchema = z
  .int({ error: 'creditsLowThreshold must be a whole number' })
  .min(1, { error: 'creditsLowThreshold must be at least 1' })
  .max(1_000_000_000);

/** Body of `POST /v1/webhooks`. */
export const CreateWebhookRequestSchema = z.strictObject({
  url: WebhookUrlSchema,
  description: DescriptionSchema.default(''),
  eventTypes: EventTypesSchema.default([...WEBHOOK_EVENT_TYPES]),
  /** `credits.low` fires when available credits fall below this. */
  creditsLowThreshold: CreditsLowThresholdSchema.default(100),
});
export type CreateWebhookRequest = z.input<typeof CreateWebhookRequestSchema>;

/** Body of `PATCH /v1/webhooks/:id`; `enabled: true` re-enables an endpoint that was disabled. */
export const UpdateWebhookRequestSchema = z
  .strictObject({
    url: WebhookUrlSchema.optional(),
    description: DescriptionSchema.optional(),
    eventTypes: EventTypesSchema.optional(),
    creditsLowThreshold: CreditsLowThresholdSchema.optional(),
    enabled: z.boolean({ error: 'enabled must be true or false' }).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');
export type UpdateWebhookRequest = z.input<typeof UpdateWebhookRequestSchema>;

/** Body of `POST /v1/webhooks/:id/rotate-secret`. */
export const RotateWebhookSecretRequestSchema = z.strictObject({
  /** How long the old secret keeps signing next to the new one (both signatures are sent). */
  overlapSeconds: z
    .int({ error: 'overlapSeconds must be a whole number' })
    .min(0)
    .max(7 * 24 * 3600, { error: 'overlapSeconds must be at most a week' })
    .default(24 * 3600),
});
export type RotateWebhookSecretRequest = z.input<typeof RotateWebhookSecretRequestSchema>;

/**
 * An endpoint as the API shows it. `kind: job-urls` is the account's signing identity for the
 * per-job `webhookUrl` of `POST /v1/jobs` (it has no URL of its own).
 */
export const WebhookEndpointViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['endpoint', 'job-urls']),
  url: z.string().nullable(),
  description: z.string(),
  eventTypes: z.array(WebhookEventTypeSchema),
  creditsLowThreshold: z.int(),
  enabled: z.boolean(),
  /** Why deliveries stopped, when they were stopped automatically; null while enabled. */
  disabledReason: z.string().nullable(),
  disabledAt: z.iso.datetime({ offset: true }).nullable(),
  consecutiveFailures: z.int().min(0),
  /** Until when the previous secret still signs, after a rotation. */
  previousSecretExpiresAt: z.iso.datetime({ offset: true }).nullable(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type WebhookEndpointView = z.infer<typeof WebhookEndpointViewSchema>;
/** `GET /v1/webhooks`: every endpoint of the account. */
export const WebhookEndpointListSchema = listOf(WebhookEndpointViewSchema);

/** Answer of create and rotate: the only time the secret is shown. */
export const WebhookEndpointWithSecretSchema = WebhookEndpointViewSchema.extend({
  secret: z.string().regex(WEBHOOK_SECRET_PATTERN),
});
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;

export const WebhookDeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatusSchema>;

/** One try of a delivery, as the delivery log shows it. */
export const WebhookAttemptViewSchema = z.object({
  attempt: z.int().min(1),
  at: z.iso.datetime({ offset: true }),
  /** HTTP status of the answer; null when none came (refused, timed out, blocked address). */
  responseStatus: z.int().nullable(),
  latencyMs: z.int().min(0),
  /** The first bytes of the answer's body (at most WEBHOOK_LOG_BODY_BYTES). */
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  succeeded: z.boolean(),
});
export type WebhookAttemptView = z.infer<typeof WebhookAttemptViewSchema>;

export const WEBHOOK_LOG_BODY_BYTES = 1024;

export const WebhookDeliveryViewSchema = z.object({
  id: z.uuid(),
  endpointId: z.uuid(),
  /** The `webhook-id` header: the same on every retry and on a manual redelivery. */
  messageId: z.string(),
  eventType: z.union([WebhookEventTypeSchema, z.literal('webhook.test')]),
  url: z.string(),
  jobId: z.uuid().nullable(),
  status: WebhookDeliveryStatusSchema,
  attempts: z.int().min(0),
  nextAttemptAt: z.iso.datetime({ offset: true }).nullable(),
  lastResponseStatus: z.int().nullable(),
  lastLatencyMs: z.int().nullable(),
  lastResponseBody: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }).nullable(),
  attemptLog: z.array(WebhookAttemptViewSchema),
});
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryViewSchema>;
/** `GET /v1/webhooks/:id/deliveries`: an endpoint's deliveries, newest first. */
export const WebhookDeliveryPageSchema = pageOf(WebhookDeliveryViewSchema);

/** `data` of a `credits.low` event. */
export const CreditsLowDataSchema = z.object({
  balance: z.int(),
  reserved: z.int(),
  available: z.int(),
  threshold: z.int(),
});
export type CreditsLowData = z.infer<typeof CreditsLowDataSchema>;

/** `data` of the test message `POST /v1/webhooks/:id/test` sends. */
export const WebhookTestDataSchema = z.object({ message: z.string() });

/**
 * The JSON body of every webhook: for `job.*` events `data` is the job view, the same object
 * `GET /v1/jobs/:id` returns at the moment of the event.
 */
export const WebhookMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.enum([
      'job.queued',
      'job.started',
      'job.progress',
      'job.succeeded',
      'job.failed',
      'job.cancelled',
    ]),
    timestamp: z.iso.datetime({ offset: true }),
    data: JobViewSchema,
  }),
  z.object({
    type: z.literal('credits.low'),
    timestamp: z.iso.datetime({ offset: true }),
    data: CreditsLowDataSchema,
  }),
  z.object({
    type: z.literal('webhook.test'),
    timestamp: z.iso.datetime({ offset: true }),
    data: WebhookTestDataSchema,
  }),
]);
export type WebhookMessage = z.infer<typeof WebhookMessageSchema>;
