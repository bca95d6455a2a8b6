import type {
  WebhookAttemptView,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEventType,
} from '@cineweave/contracts';

/** A `webhook_endpoints` row as pg returns it. */
export interface EndpointRow {
  id: string;
  account_id: string | null;
  team_id: string | null;
  kind: 'endpoint' | 'job-urls';
  url: string | null;
  description: string;
  event_types: WebhookEventType[];
  credits_low_threshold: number;
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  consecutive_failures: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: WebhookDeliveryView['eventType'];
  url: string;
  job_id: string | null;
  payload: unknown;
  status: WebhookDeliveryView['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_response_status: number | null;
  last_latency_ms: number | null;
  last_response_body: string | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  response_status: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  succeeded: boolean;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toEndpointView(row: EndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    creditsLowThreshold: row.credits_low_threshold,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: iso(row.disabled_at),
    consecutiveFailures: row.consecutive_failures,
    previousSecretExpiresAt:
      row.previous_secret_expires_at && row.previous_secret_expires_at > new Date()
        ? row.previous_secret_expires_at.toISOString()
        : null,
    createdAt: row.created_at.toISOString(),
  };
}

export function toAttemptView(row: AttemptRow): WebhookAttemptView {
  return {
    attempt: row.attempt,
    at: row.at.toISOString(),
    responseStatus: row.response_status,
    latencyMs: row.latency_ms,
    responseBody: row.response_body,
    error: row.error,
    succeeded: row.succeeded,
  };
}

export function toDeliveryView(row: DeliveryRow, attempts: AttemptRow[]): WebhookDeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    messageId: row.message_id,
    eventType: row.event_type,
    url: row.url,
    jobId: row.job_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastResponseStatus: row.last_response_status,
    lastLatencyMs: row.last_latency_ms,
    lastResponseBody: row.last_response_body,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    finishedAt: iso(row.finished_at),
    attemptLog: attempts.map(toAttemptView),
  };
}

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export function signingSecrets(
  row: Pick<EndpointRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>,
  now = new Date(),
): string[] {
  return row.previous_secret && row.previous_secret_expires_at && row.previous_secret_expires_at > now
    ? [row.secret, row.previous_secret]
    : [row.secret];
}

/** A `webhook-id`: the same on every retry and redelivery of one message. */
export const messageIdOf = (deliveryId: string) => `msg_${deliveryId.replaceAll('-', '')}`;
