import { Injectable } from '@nestjs/common';
import type { WebhookEventType } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { camelized } from '../../core/database/camelized.ts';
import type {
  NewDelivery,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEvent,
} from './webhook-rows.ts';

interface EndpointRow {
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
  disabled_at: Date | string | null;
  consecutive_failures: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | string | null;
  created_at: Date | string;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  message_id: string;
  event_type: WebhookDelivery['eventType'];
  url: string;
  job_id: string | null;
  payload: unknown;
  status: WebhookDelivery['status'];
  attempts: number;
  next_attempt_at: Date | null;
  last_response_status: number | null;
  last_latency_ms: number | null;
  last_response_body: string | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  at: Date;
  response_status: number | null;
  latency_ms: number;
  response_body: string | null;
  error: string | null;
  succeeded: boolean;
}

/** Timestamps arrive as Dates from columns and as strings from `to_jsonb`. */
const dateOf = (value: Date | string | null): Date | null =>
  value === null ? null : value instanceof Date ? value : new Date(value);

function endpointOf(row: EndpointRow): WebhookEndpoint {
  return {
    ...camelized(row),
    disabledAt: dateOf(row.disabled_at),
    previousSecretExpiresAt: dateOf(row.previous_secret_expires_at),
    createdAt: dateOf(row.created_at)!,
  };
}

function deliveryOf(row: DeliveryRow): WebhookDelivery {
  return camelized(row);
}

function attemptOf(row: AttemptRow): WebhookAttempt {
  return camelized(row);
}

/** What an endpoint change sets; an absent field keeps its value. */
export interface EndpointChange {
  url?: string;
  description?: string;
  eventTypes?: WebhookEventType[];
  creditsLowThreshold?: number;
  /** true re-enables (and forgets the run of failures), false disables "by you". */
  enabled?: boolean;
}

/** What an attempt changed, recorded in one statement per table by `recordAttempt`. */
export type AttemptOutcome = Omit<WebhookAttempt, 'deliveryId' | 'attempt'>;

/**
 * Webhook endpoints, the events the database triggers write (webhook_events), deliveries and
 * their attempts. Endpoints are read by their team's account id, so another team's
 * endpoint is simply not found.
 */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Database) {}

  // Endpoints

  async countEndpoints(accountId: string, sql: Sql = this.db): Promise<number> {
    const [row] = await sql.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM webhook_endpoints WHERE account_id = $1 AND kind = 'endpoint'`,
      [accountId],
    );
    return row?.count ?? 0;
  }

  async insertEndpoint(
    endpoint: {
      accountId: string;
      url: string;
      description: string;
      eventTypes: WebhookEventType[];
      creditsLowThreshold: number;
      secret: string;
    },
    sql: Sql = this.db,
  ): Promise<WebhookEndpoint> {
    const [row] = await sql.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (account_id, kind, url, description, event_types, credits_low_threshold, secret)
       VALUES ($1, 'endpoint', $2, $3, $4, $5, $6) RETURNING *`,
      [
        endpoint.accountId,
        endpoint.url,
        endpoint.description,
        endpoint.eventTypes,
        endpoint.creditsLowThreshold,
        endpoint.secret,
      ],
    );
    return endpointOf(row!);
  }

  /** The account's per-job URL identity, or null when it already has one. */
  async insertJobUrls(
    accountId: string,
    eventTypes: WebhookEventType[],
    secret: string,
    sql: Sql = this.db,
  ): Promise<WebhookEndpoint | null> {
    const [row] = await sql.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (account_id, kind, description, event_types, secret)
       VALUES ($1, 'job-urls', 'Per-job webhook URLs', $2, $3)
       ON CONFLICT (account_id) WHERE kind = 'job-urls' DO NOTHING RETURNING *`,
      [accountId, eventTypes, secret],
    );
    return row ? endpointOf(row) : null;
  }

  /** The team's endpoints, oldest first. */
  async endpointsOf(accountId: string, sql: Sql = this.db): Promise<WebhookEndpoint[]> {
    const rows = await sql.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE account_id = $1 ORDER BY created_at, id`,
      [accountId],
    );
    return rows.map(endpointOf);
  }

  /** One of the team's endpoints, or null (also when it is another team's). */
  async endpointOf(accountId: string, id: string, sql: Sql = this.db): Promise<WebhookEndpoint | null> {
    const [row] = await sql.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE id = $1 AND account_id = $2`,
      [id, accountId],
    );
    return row ? endpointOf(row) : null;
  }

  /** Whether the team has an enabled per-job URL identity (to sign its jobs' webhookUrls with). */
  async hasEnabledJobUrls(accountId: string, sql: Sql = this.db): Promise<boolean> {
    const rows = await sql.query(
      `SELECT id FROM webhook_endpoints WHERE account_id = $1 AND kind = 'job-urls' AND enabled`,
      [accountId],
    );
    return rows.length > 0;
  }

  /** The enabled endpoints of these accounts. */
  async enabledEndpointsOf(accountIds: string[], sql: Sql = this.db): Promise<WebhookEndpoint[]> {
    const rows = await sql.query<EndpointRow>(
      `SELECT * FROM webhook_endpoints WHERE account_id = ANY ($1::uuid[]) AND enabled`,
      [accountIds],
    );
    return rows.map(endpointOf);
  }

  async updateEndpoint(id: string, change: EndpointChange, sql: Sql = this.db): Promise<WebhookEndpoint> {
    const [row] = await sql.query<EndpointRow>(
      `UPDATE webhook_endpoints
          SET url = coalesce($2, url), description = coalesce($3, description),
              event_types = coalesce($4, event_types), credits_low_threshold = coalesce($5, credits_low_threshold),
              enabled = coalesce($6, enabled),
              consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END,
              disabled_reason = CASE WHEN $6 THEN NULL WHEN $6 = false THEN 'Disabled by you.' ELSE disabled_reason END,
              disabled_at = CASE WHEN $6 THEN NULL WHEN $6 = false THEN coalesce(disabled_at, now()) ELSE disabled_at END,
              updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        id,
        change.url ?? null,
        change.description ?? null,
        change.eventTypes ?? null,
        change.creditsLowThreshold ?? null,
        change.enabled ?? null,
      ],
    );
    return endpointOf(row!);
  }

  /** A new secret; the current one keeps signing for `overlapSeconds` (none when 0). */
  async rotateSecret(
    id: string,
    secret: string,
    overlapSeconds: number,
    sql: Sql = this.db,
  ): Promise<WebhookEndpoint> {
    const [row] = await sql.query<EndpointRow>(
      `UPDATE webhook_endpoints
          SET previous_secret = CASE WHEN $3 > 0 THEN secret END,
              previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END,
              secret = $2, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, secret, overlapSeconds],
    );
    return endpointOf(row!);
  }

  async deleteEndpoint(id: string, sql: Sql = this.db): Promise<void> {
    await sql.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
  }

  async resetFailures(endpointId: string, sql: Sql = this.db): Promise<void> {
    await sql.query(`UPDATE webhook_endpoints SET consecutive_failures = 0 WHERE id = $1`, [endpointId]);
  }

  /**
   * Counts one more failure in a row; the endpoint is disabled, with `reason`, when the run
   * reaches `disableAfter`. Returns whether it is still enabled.
   */
  async countFailure(
    endpointId: string,
    disableAfter: number,
    reason: string,
    sql: Sql = this.db,
  ): Promise<{ enabled: boolean } | null> {
    const [row] = await sql.query<{ enabled: boolean }>(
      `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1,
              enabled = enabled AND consecutive_failures + 1 < $2,
              disabled_at = CASE WHEN enabled AND consecutive_failures + 1 >= $2 THEN now() ELSE disabled_at END,
              disabled_reason = CASE WHEN enabled AND consecutive_failures + 1 >= $2 THEN $3 ELSE disabled_reason END,
              updated_at = now()
        WHERE id = $1 RETURNING enabled`,
      [endpointId, disableAfter, reason],
    );
    return row ?? null;
  }

  // Events

  /** Takes (deletes) the oldest events no other replica holds, at most `limit`, oldest first. */
  async takeEvents(limit: number, sql: Sql): Promise<WebhookEvent[]> {
    const rows = await sql.query<{
      id: string;
      account_id: string;
      type: WebhookEventType;
      job_id: string | null;
      data: Record<string, unknown>;
      created_at: Date;
    }>(
      `DELETE FROM webhook_events
        WHERE id IN (SELECT id FROM webhook_events ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, account_id, type, job_id, data, created_at`,
      [limit],
    );
    return rows
      .map((row) => ({
        id: row.id,
        accountId: row.account_id,
        type: row.type,
        jobId: row.job_id,
        data: row.data,
        createdAt: row.created_at,
      }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  // Deliveries

  /** Writes new deliveries; their first attempt is due now. */
  async insertDeliveries(deliveries: NewDelivery[], sql: Sql = this.db): Promise<void> {
    if (deliveries.length === 0) return;
    const column = <T>(pick: (delivery: NewDelivery) => T) => deliveries.map(pick);
    await sql.query(
      `INSERT INTO webhook_deliveries (id, endpoint_id, message_id, event_type, url, job_id, payload, next_attempt_at)
       SELECT d.id, d.endpoint_id, d.message_id, d.event_type, d.url, d.job_id, d.payload, now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::jsonb[])
           AS d(id, endpoint_id, message_id, event_type, url, job_id, payload)`,
      [
        column((d) => d.id),
        column((d) => d.endpointId),
        column((d) => d.messageId),
        column((d) => d.eventType),
        column((d) => d.url),
        column((d) => d.jobId),
        column((d) => JSON.stringify(d.payload)),
      ],
    );
  }

  async delivery(id: string, sql: Sql = this.db): Promise<WebhookDelivery | null> {
    const [row] = await sql.query<DeliveryRow>(`SELECT * FROM webhook_deliveries WHERE id = $1`, [id]);
    return row ? deliveryOf(row) : null;
  }

  /** A delivery with the endpoint it belongs to, as the worker needs them for one attempt. */
  async deliveryWithEndpoint(
    id: string,
    sql: Sql = this.db,
  ): Promise<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint } | null> {
    const [row] = await sql.query<DeliveryRow & { endpoint: EndpointRow }>(
      `SELECT d.*, to_jsonb(e) AS endpoint FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.id = $1`,
      [id],
    );
    return row ? { delivery: deliveryOf(row), endpoint: endpointOf(row.endpoint) } : null;
  }

  /** Newest first, after the `(createdAt, id)` of the previous page's last, at most `limit`. */
  async deliveriesOf(
    endpointId: string,
    after: { createdAt: string; id: string } | null,
    limit: number,
    sql: Sql = this.db,
  ): Promise<WebhookDelivery[]> {
    const rows = await sql.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries
        WHERE endpoint_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [endpointId, after?.createdAt ?? null, after?.id ?? null, limit],
    );
    return rows.map(deliveryOf);
  }

  async deliveryOfEndpoint(
    endpointId: string,
    id: string,
    sql: Sql = this.db,
  ): Promise<WebhookDelivery | null> {
    const [row] = await sql.query<DeliveryRow>(
      `SELECT * FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`,
      [id, endpointId],
    );
    return row ? deliveryOf(row) : null;
  }

  /** Each delivery's attempts, in order. */
  async attemptsOf(deliveryIds: string[], sql: Sql = this.db): Promise<Map<string, WebhookAttempt[]>> {
    const byDelivery = new Map<string, WebhookAttempt[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows = await sql.query<AttemptRow>(
      `SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ANY ($1::uuid[]) ORDER BY attempt`,
      [deliveryIds],
    );
    for (const row of rows) {
      byDelivery.set(row.delivery_id, [...(byDelivery.get(row.delivery_id) ?? []), attemptOf(row)]);
    }
    return byDelivery;
  }

  /** Pending deliveries whose next attempt is more than `graceSeconds` overdue, oldest first. */
  async overdueDeliveries(
    graceSeconds: number,
    limit: number,
    sql: Sql = this.db,
  ): Promise<{ id: string; attempts: number }[]> {
    return sql.query<{ id: string; attempts: number }>(
      `SELECT id, attempts FROM webhook_deliveries
        WHERE status = 'pending' AND next_attempt_at < now() - make_interval(secs => $1)
        ORDER BY next_attempt_at LIMIT $2`,
      [graceSeconds, limit],
    );
  }

  /** Deletes finished deliveries (and, by cascade, their attempts) older than `hours`. */
  async deleteFinishedBefore(hours: number, sql: Sql = this.db): Promise<void> {
    await sql.query(
      `DELETE FROM webhook_deliveries WHERE status <> 'pending' AND finished_at < now() - make_interval(hours => $1)`,
      [hours],
    );
  }

  /** Fails a pending delivery without an attempt (its endpoint is disabled). */
  async failPending(id: string, reason: string, sql: Sql = this.db): Promise<void> {
    await sql.query(
      `UPDATE webhook_deliveries SET status = 'failed', finished_at = now(), next_attempt_at = NULL, last_error = $2
        WHERE id = $1 AND status = 'pending'`,
      [id, reason],
    );
  }

  async retarget(id: string, url: string, sql: Sql = this.db): Promise<void> {
    await sql.query(`UPDATE webhook_deliveries SET url = $2 WHERE id = $1`, [id, url]);
  }

  /** Logs one attempt (a repeated attempt number is ignored). */
  async insertAttempt(
    deliveryId: string,
    attempt: number,
    outcome: AttemptOutcome,
    sql: Sql = this.db,
  ): Promise<void> {
    await sql.query(
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, at, response_status, latency_ms, response_body, error, succeeded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        deliveryId,
        attempt,
        outcome.at,
        outcome.responseStatus,
        outcome.latencyMs,
        outcome.responseBody,
        outcome.error,
        outcome.succeeded,
      ],
    );
  }

  /**
   * The delivery after attempt `attempt`: succeeded, failed for good, or pending with its next
   * attempt in `retryInSeconds`. Only from the state before that attempt, so a stale attempt
   * changes nothing.
   */
  async settleAttempt(
    deliveryId: string,
    attempt: number,
    outcome: AttemptOutcome,
    finalFailure: boolean,
    retryInSeconds: number,
    sql: Sql = this.db,
  ): Promise<void> {
    await sql.query(
      `UPDATE webhook_deliveries
          SET attempts = $2, last_response_status = $3, last_latency_ms = $4, last_response_body = $5, last_error = $6,
              status = CASE WHEN $7 THEN 'succeeded' WHEN $8 THEN 'failed' ELSE 'pending' END,
              finished_at = CASE WHEN $7 OR $8 THEN now() END,
              next_attempt_at = CASE WHEN $7 OR $8 THEN NULL ELSE now() + make_interval(secs => $9) END
        WHERE id = $1 AND status = 'pending' AND attempts = $2 - 1`,
      [
        deliveryId,
        attempt,
        outcome.responseStatus,
        outcome.latencyMs,
        outcome.responseBody,
        outcome.error,
        outcome.succeeded,
        finalFailure,
        retryInSeconds,
      ],
    );
  }
}
