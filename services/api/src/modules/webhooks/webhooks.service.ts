import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type CreateWebhookRequestSchema,
  type RotateWebhookSecretRequestSchema,
  type UpdateWebhookRequestSchema,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_QUEUE,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
} from '@cineweave/contracts';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { AppConfig } from '../../core/config/app-config.ts';
import { returningRows } from '../../core/database/returning.ts';
import { DomainError, notFound } from '../../core/errors/domain-error.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { PrivateAddressError, checkHostAllowed } from '../../core/net/address-guard.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { DELIVER_JOB, type DeliverJobData, deliverJobOptions } from './delivery-schedule.ts';
import { insertDeliveries } from './webhook-dispatcher.service.ts';
import { generateWebhookSecret } from './webhook-signing.ts';
import {
  type AttemptRow,
  type DeliveryRow,
  type EndpointRow,
  messageIdOf,
  toDeliveryView,
  toEndpointView,
} from './webhook-rows.ts';
import { AuditService } from '../audit/audit.service.ts';

const MAX_ENDPOINTS_PER_ACCOUNT = 20;

const DeliveryCursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

/**
 * Webhook endpoints of the caller's account: create (the secret is answered once), list, change,
 * delete, rotate the secret with an overlap, read the delivery log, redeliver, send a test.
 * Every query is scoped to the caller's account: another account's endpoint is a 404.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverJobData>,
    private readonly accounts: AccountsService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Runs a change to an endpoint and its audit row in one transaction. */
  private async audited(
    action: 'webhook-endpoint.created' | 'webhook-endpoint.changed' | 'webhook-endpoint.deleted',
    before: EndpointRow | null,
    change: (tx: EntityManager) => Promise<EndpointRow[]>,
  ): Promise<EndpointRow[]> {
    return this.db.transaction(async (tx) => {
      const rows = await change(tx);
      const target = rows[0] ?? before;
      if (target) {
        await this.audit.record(
          {
            action,
            target: { type: 'webhook-endpoint', id: target.id },
            before: before ? toEndpointView(before) : null,
            after: rows[0] ? toEndpointView(rows[0]) : null,
          },
          tx,
        );
      }
      return rows;
    });
  }

  async create(
    userId: string,
    body: z.output<typeof CreateWebhookRequestSchema>,
  ): Promise<WebhookEndpointWithSecret> {
    const account = (await this.accounts.ensureAccount(userId)).account;
    await this.checkTarget(body.url, 'url');
    const [{ count }]: { count: number }[] = await this.db.query(
      `SELECT count(*)::int AS count FROM webhook_endpoints WHERE account_id = $1 AND kind = 'endpoint'`,
      [account.id],
    );
    if (count >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new DomainError(
        'CONFLICT',
        `You already have ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints; delete one first.`,
      );
    }
    const secret = generateWebhookSecret();
    const rows = await this.audited('webhook-endpoint.created', null, (tx) =>
      tx.query(
        `INSERT INTO webhook_endpoints (account_id, kind, url, description, event_types, credits_low_threshold, secret)
         VALUES ($1, 'endpoint', $2, $3, $4, $5, $6) RETURNING *`,
        [account.id, body.url, body.description, body.eventTypes, body.creditsLowThreshold, secret],
      ),
    );
    this.logger.log({ endpointId: rows[0].id, accountId: account.id }, 'Created a webhook endpoint');
    return { ...toEndpointView(rows[0]), secret };
  }

  /** The signing identity of per-job `webhookUrl`s; created once per account. */
  async createJobUrls(userId: string): Promise<WebhookEndpointWithSecret> {
    const account = (await this.accounts.ensureAccount(userId)).account;
    const secret = generateWebhookSecret();
    const rows = await this.audited('webhook-endpoint.created', null, (tx) =>
      tx.query(
        `INSERT INTO webhook_endpoints (account_id, kind, description, event_types, secret)
         VALUES ($1, 'job-urls', 'Per-job webhook URLs', $2, $3)
         ON CONFLICT (account_id) WHERE kind = 'job-urls' DO NOTHING RETURNING *`,
        [account.id, WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('job.')), secret],
      ),
    );
    if (rows.length === 0) {
      throw new DomainError(
        'CONFLICT',
        'Per-job webhook URLs already have a signing secret; rotate it (POST /v1/webhooks/{id}/rotate-secret) to see a new one.',
      );
    }
    return { ...toEndpointView(rows[0]), secret };
  }

  async list(userId: string): Promise<{ items: WebhookEndpointView[] }> {
    const rows: EndpointRow[] = await this.db.query(
      `SELECT e.* FROM webhook_endpoints e JOIN accounts a ON a.id = e.account_id
        WHERE a.user_id = $1 ORDER BY e.created_at, e.id`,
      [userId],
    );
    return { items: rows.map(toEndpointView) };
  }

  async get(userId: string, id: string): Promise<WebhookEndpointView> {
    return toEndpointView(await this.endpoint(userId, id));
  }

  async update(
    userId: string,
    id: string,
    body: z.output<typeof UpdateWebhookRequestSchema>,
  ): Promise<WebhookEndpointView> {
    const current = await this.endpoint(userId, id);
    if (current.kind === 'job-urls' && (body.url !== undefined || body.eventTypes !== undefined)) {
      throw new DomainError(
        'UNPROCESSABLE',
        "The per-job URL identity has no URL or event filter of its own; every job event goes to the job's webhookUrl.",
        [
          {
            field: body.url !== undefined ? 'url' : 'eventTypes',
            message: 'cannot be set on a job-urls endpoint',
          },
        ],
      );
    }
    if (body.url !== undefined) await this.checkTarget(body.url, 'url');
    const rows = await this.audited('webhook-endpoint.changed', current, async (tx) =>
      returningRows<EndpointRow>(
        await tx.query(
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
            body.url ?? null,
            body.description ?? null,
            body.eventTypes ?? null,
            body.creditsLowThreshold ?? null,
            body.enabled ?? null,
          ],
        ),
      ),
    );
    return toEndpointView(rows[0]);
  }

  async remove(userId: string, id: string): Promise<void> {
    const current = await this.endpoint(userId, id);
    await this.audited('webhook-endpoint.deleted', current, async (tx) => {
      await tx.query(`DELETE FROM webhook_endpoints WHERE id = $1`, [id]);
      return [];
    });
  }

  /**
   * A new secret, answered once; the old one keeps signing next to it (both signatures are sent)
   * for `overlapSeconds`, so receivers can switch without a window of refused messages.
   */
  async rotateSecret(
    userId: string,
    id: string,
    body: z.output<typeof RotateWebhookSecretRequestSchema>,
  ): Promise<WebhookEndpointWithSecret> {
    const current = await this.endpoint(userId, id);
    const secret = generateWebhookSecret();
    const rows = await this.audited('webhook-endpoint.changed', current, async (tx) =>
      returningRows<EndpointRow>(
        await tx.query(
          `UPDATE webhook_endpoints
            SET previous_secret = CASE WHEN $3 > 0 THEN secret END,
                previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END,
                secret = $2, updated_at = now()
          WHERE id = $1 RETURNING *`,
          [id, secret, body.overlapSeconds],
        ),
      ),
    );
    return { ...toEndpointView(rows[0]), secret };
  }

  async deliveries(
    userId: string,
    id: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
    await this.endpoint(userId, id);
    const after = decodeCursor(page.cursor, DeliveryCursorSchema);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT * FROM webhook_deliveries
        WHERE endpoint_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [id, after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    const attempts = await this.attemptsOf(shown.map((row) => row.id));
    const last = shown.at(-1);
    return {
      items: shown.map((row) => toDeliveryView(row, attempts.get(row.id) ?? [])),
      nextCursor:
        rows.length > page.limit && last ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
    };
  }

  /** Sends a delivery's message again, with the same `webhook-id`, as a new delivery with its own log. */
  async redeliver(userId: string, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.endpoint(userId, id);
    this.requireEnabled(endpoint);
    const rows: DeliveryRow[] = await this.db.query(
      `SELECT * FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2`,
      [deliveryId, id],
    );
    const original = rows[0];
    if (!original) throw notFound(`Delivery ${deliveryId}`);
    // The URL the message goes to now: the endpoint's current one (a per-job URL stays the job's).
    const url = endpoint.kind === 'endpoint' && endpoint.url ? endpoint.url : original.url;
    return this.enqueueNew({
      id: randomUUID(),
      endpointId: id,
      messageId: original.message_id,
      eventType: original.event_type,
      url,
      jobId: original.job_id,
      payload: original.payload,
    });
  }

  /** A `webhook.test` message through the real delivery path. */
  async sendTest(userId: string, id: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.endpoint(userId, id);
    this.requireEnabled(endpoint);
    if (!endpoint.url) {
      throw new DomainError(
        'UNPROCESSABLE',
        'The per-job URL identity has no URL to test; create a job with a webhookUrl instead.',
      );
    }
    const deliveryId = randomUUID();
    return this.enqueueNew({
      id: deliveryId,
      endpointId: id,
      messageId: messageIdOf(deliveryId),
      eventType: 'webhook.test',
      url: endpoint.url,
      jobId: null,
      payload: {
        type: 'webhook.test',
        timestamp: new Date().toISOString(),
        data: { message: 'A test message from CineWeave: your endpoint receives and verifies webhooks.' },
      },
    });
  }

  /**
   * Checks a job's `webhookUrl` at creation: the target must pass the SSRF guard, and the account
   * needs the signing identity of per-job URLs (otherwise nobody could verify the messages).
   */
  async checkJobWebhookUrl(userId: string, url: string): Promise<void> {
    await this.checkTarget(url, 'webhookUrl');
    const rows: { id: string }[] = await this.db.query(
      `SELECT e.id FROM webhook_endpoints e JOIN accounts a ON a.id = e.account_id
        WHERE a.user_id = $1 AND e.kind = 'job-urls' AND e.enabled`,
      [userId],
    );
    if (rows.length === 0) {
      throw new DomainError(
        'UNPROCESSABLE',
        'A job webhookUrl is signed with your per-job signing secret, which does not exist yet (or is disabled): create it with POST /v1/webhooks/job-urls first.',
        [{ field: 'webhookUrl', message: 'needs a per-job signing secret (POST /v1/webhooks/job-urls)' }],
      );
    }
  }

  /** The SSRF guard at creation: every address the host resolves to must be allowed. */
  private async checkTarget(url: string, field: string): Promise<void> {
    const host = new URL(url).hostname;
    try {
      await checkHostAllowed(host, { allowPrivate: false, allowList: this.config.env.SSRF_ALLOW_CIDRS });
    } catch (error) {
      const message =
        error instanceof PrivateAddressError
          ? error.message
          : `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`;
      throw new DomainError('UNPROCESSABLE', `Webhooks cannot be sent to ${url}: ${message}`, [
        { field, message },
      ]);
    }
  }

  private requireEnabled(endpoint: EndpointRow): void {
    if (!endpoint.enabled) {
      throw new DomainError(
        'INVALID_STATE',
        `The endpoint is disabled${endpoint.disabled_reason ? ` (${endpoint.disabled_reason})` : ''}; enable it first (PATCH with {"enabled": true}).`,
      );
    }
  }

  private async enqueueNew(
    delivery: Parameters<typeof insertDeliveries>[1][number],
  ): Promise<WebhookDeliveryView> {
    await insertDeliveries(this.db, [delivery]);
    const data = { deliveryId: delivery.id, attempt: 1 };
    // If Redis is away the row stays pending and the dispatcher's sweep schedules it.
    await this.queue
      .add(DELIVER_JOB, data, deliverJobOptions(data))
      .catch((error: Error) =>
        this.logger.warn(
          { deliveryId: delivery.id, error: error.message },
          'Could not queue a webhook delivery',
        ),
      );
    const rows: DeliveryRow[] = await this.db.query(`SELECT * FROM webhook_deliveries WHERE id = $1`, [
      delivery.id,
    ]);
    return toDeliveryView(rows[0], []);
  }

  private async attemptsOf(deliveryIds: string[]): Promise<Map<string, AttemptRow[]>> {
    const byDelivery = new Map<string, AttemptRow[]>();
    if (deliveryIds.length === 0) return byDelivery;
    const rows: AttemptRow[] = await this.db.query(
      `SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ANY ($1::uuid[]) ORDER BY attempt`,
      [deliveryIds],
    );
    for (const row of rows)
      byDelivery.set(row.delivery_id, [...(byDelivery.get(row.delivery_id) ?? []), row]);
    return byDelivery;
  }

  private async endpoint(userId: string, id: string): Promise<EndpointRow> {
    const rows: EndpointRow[] = await this.db.query(
      `SELECT e.* FROM webhook_endpoints e JOIN accounts a ON a.id = e.account_id WHERE e.id = $1 AND a.user_id = $2`,
      [id, userId],
    );
    if (!rows[0]) throw notFound(`Webhook endpoint ${id}`);
    return rows[0];
  }
}
