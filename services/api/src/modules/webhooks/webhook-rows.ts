import type {
  WebhookAttemptView,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEventType,
} from '@cineweave/contracts';

/** A webhook endpoint: a URL with its event filter, or an account's per-job URL identity. */
export interface WebhookEndpoint {
  id: string;
  accountId: string | null;
  teamId: string | null;
  kind: 'endpoint' | 'job-urls';
  url: string | null;
  description: string;
  eventTypes: WebhookEventType[];
  creditsLowThreshold: number;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  consecutiveFailures: number;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
}

/** One message to one URL, and where its attempts stand. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: WebhookDeliveryView['eventType'];
  url: string;
  jobId: string | null;
  payload: unknown;
  status: WebhookDeliveryView['status'];
  attempts: number;
  nextAttemptAt: Date | null;
  lastResponseStatus: number | null;
  lastLatencyMs: number | null;
  lastResponseBody: string | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface WebhookAttempt {
  deliveryId: string;
  attempt: number;
  at: Date;
  responseStatus: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
  succeeded: boolean;
}

/**
 * A committed event the database triggers wrote: a job's status change (`data` is the job row's
 * `to_jsonb` snapshot, with its webhook_url) or an account crossing a credits-low threshold.
 */
export interface WebhookEvent {
  id: string;
  accountId: string;
  type: WebhookEventType;
  jobId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** A delivery row about to be written, and the first attempt to schedule for it. */
export interface NewDelivery {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  url: string;
  jobId: string | null;
  payload: unknown;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toEndpointView(endpoint: WebhookEndpoint): WebhookEndpointView {
  return {
    id: endpoint.id,
    kind: endpoint.kind,
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes,
    creditsLowThreshold: endpoint.creditsLowThreshold,
    enabled: endpoint.enabled,
    disabledReason: endpoint.disabledReason,
    disabledAt: iso(endpoint.disabledAt),
    consecutiveFailures: endpoint.consecutiveFailures,
    previousSecretExpiresAt:
      endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > new Date()
        ? endpoint.previousSecretExpiresAt.toISOString()
        : null,
    createdAt: endpoint.createdAt.toISOString(),
  };
}

export function toAttemptView(attempt: WebhookAttempt): WebhookAttemptView {
  return {
    attempt: attempt.attempt,
    at: attempt.at.toISOString(),
    responseStatus: attempt.responseStatus,
    latencyMs: attempt.latencyMs,
    responseBody: attempt.responseBody,
    error: attempt.error,
    succeeded: attempt.succeeded,
  };
}

export function toDeliveryView(delivery: WebhookDelivery, attempts: WebhookAttempt[]): WebhookDeliveryView {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    messageId: delivery.messageId,
    eventType: delivery.eventType,
    url: delivery.url,
    jobId: delivery.jobId,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    lastResponseStatus: delivery.lastResponseStatus,
    lastLatencyMs: delivery.lastLatencyMs,
    lastResponseBody: delivery.lastResponseBody,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    finishedAt: iso(delivery.finishedAt),
    attemptLog: attempts.map(toAttemptView),
  };
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function signingSecrets(
  endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>,
  now = new Date(),
): string[] {
  return endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now
    ? [endpoint.secret, endpoint.previousSecret]
    : [endpoint.secret];
}

/** A `webhook-id`: the same on every retry and redelivery of one message. */
export const messageIdOf = (deliveryId: string) => `msg_${deliveryId.replaceAll('-', '')}`;
