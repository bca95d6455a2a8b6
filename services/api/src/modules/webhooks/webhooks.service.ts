import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
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
import { z } from 'zod';
import { AppConfig } from '../../core/config/app-config.ts';
import { Database, type Sql } from '../../core/database/database.ts';
import { DomainError, notFound } from '../../core/errors/domain-error.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { PrivateAddressError, checkHostAllowed } from '../../core/net/address-guard.ts';
import { DELIVER_JOB, type DeliverJobData, deliverJobOptions } from './delivery-schedule.ts';
import { generateWebhookSecret } from './webhook-signing.ts';
import {
  type NewDelivery,
  type WebhookEndpoint,
  messageIdOf,
  toDeliveryView,
  toEndpointView,
} from './webhook-rows.ts';
import { WebhooksRepository } from './webhooks.repository.ts';
import { AuditService } from '../audit/audit.service.ts';

const MAX_ENDPOINTS_PER_ACCOUNT = 20;

/** The team whose endpoints a call works on: the route resolved it and checked the caller's role. */
export interface WebhookTeam {
  id: string;
  organizationId: string | null;
}

const DeliveryCursorSchema = z.tuple([z.iso.datetime({ offset: true }), z.uuid()]);

/**
 * Webhook endpoints of a team (its account): create (the secret is answered once), list, change,
 * delete, rotate the secret with an overlap, read the delivery log, redeliver, send a test.
 * Every query is scoped to the team the route resolved: another team's endpoint is a 404.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly db: Database,
    private readonly repository: WebhooksRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverJobData>,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /** Runs a change to an endpoint and its audit row (in the team's organization) in one transaction. */
  private async audited(
    team: WebhookTeam,
    action: 'webhook-endpoint.created' | 'webhook-endpoint.changed' | 'webhook-endpoint.deleted',
    before: WebhookEndpoint | null,
    change: (tx: Sql) => Promise<WebhookEndpoint | null>,
  ): Promise<WebhookEndpoint | null> {
    return this.db.transaction(async (tx) => {
      const after = await change(tx);
      const target = after ?? before;
      if (target) {
        await this.audit.record(
          {
            action,
            target: { type: 'webhook-endpoint', id: target.id },
            before: before ? toEndpointView(before) : null,
            after: after ? toEndpointView(after) : null,
            organizationId: team.organizationId,
          },
          tx,
        );
      }
      return after;
    });
  }

  async create(
    team: WebhookTeam,
    body: z.output<typeof CreateWebhookRequestSchema>,
  ): Promise<WebhookEndpointWithSecret> {
    await this.checkTarget(body.url, 'url');
    if ((await this.repository.countEndpoints(team.id)) >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new DomainError(
        'CONFLICT',
        `This team already has ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints; delete one first.`,
      );
    }
    const secret = generateWebhookSecret();
    const endpoint = (await this.audited(team, 'webhook-endpoint.created', null, (tx) =>
      this.repository.insertEndpoint(
        {
          accountId: team.id,
          url: body.url,
          description: body.description,
          eventTypes: body.eventTypes,
          creditsLowThreshold: body.creditsLowThreshold,
          secret,
        },
        tx,
      ),
    ))!;
    this.logger.log({ endpointId: endpoint.id, accountId: team.id }, 'Created a webhook endpoint');
    return { ...toEndpointView(endpoint), secret };
  }

  /** The signing identity of per-job `webhookUrl`s; created once per team. */
  async createJobUrls(team: WebhookTeam): Promise<WebhookEndpointWithSecret> {
    const secret = generateWebhookSecret();
    const endpoint = await this.audited(team, 'webhook-endpoint.created', null, (tx) =>
      this.repository.insertJobUrls(
        team.id,
        WEBHOOK_EVENT_TYPES.filter((type) => type.startsWith('job.')),
        secret,
        tx,
      ),
    );
    if (!endpoint) {
      throw new DomainError(
        'CONFLICT',
        'Per-job webhook URLs already have a signing secret; rotate it (POST /v1/webhooks/{id}/rotate-secret) to see a new one.',
      );
    }
    return { ...toEndpointView(endpoint), secret };
  }

  async list(team: WebhookTeam): Promise<{ items: WebhookEndpointView[] }> {
    return { items: (await this.repository.endpointsOf(team.id)).map(toEndpointView) };
  }

  async get(team: WebhookTeam, id: string): Promise<WebhookEndpointView> {
    return toEndpointView(await this.endpoint(team.id, id));
  }

  async update(
    team: WebhookTeam,
    id: string,
    body: z.output<typeof UpdateWebhookRequestSchema>,
  ): Promise<WebhookEndpointView> {
    const current = await this.endpoint(team.id, id);
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
    const updated = await this.audited(team, 'webhook-endpoint.changed', current, (tx) =>
      this.repository.updateEndpoint(
        id,
        {
          ...(body.url !== undefined ? { url: body.url } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.eventTypes !== undefined ? { eventTypes: body.eventTypes } : {}),
          ...(body.creditsLowThreshold !== undefined
            ? { creditsLowThreshold: body.creditsLowThreshold }
            : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        },
        tx,
      ),
    );
    return toEndpointView(updated!);
  }

  async remove(team: WebhookTeam, id: string): Promise<void> {
    const current = await this.endpoint(team.id, id);
    await this.audited(team, 'webhook-endpoint.deleted', current, async (tx) => {
      await this.repository.deleteEndpoint(id, tx);
      return null;
    });
  }

  /**
   * A new secret, answered once; the old one keeps signing next to it (both signatures are sent)
   * for `overlapSeconds`, so receivers can switch without a window of refused messages.
   */
  async rotateSecret(
    team: WebhookTeam,
    id: string,
    body: z.output<typeof RotateWebhookSecretRequestSchema>,
  ): Promise<WebhookEndpointWithSecret> {
    const current = await this.endpoint(team.id, id);
    const secret = generateWebhookSecret();
    const rotated = await this.audited(team, 'webhook-endpoint.changed', current, (tx) =>
      this.repository.rotateSecret(id, secret, body.overlapSeconds, tx),
    );
    return { ...toEndpointView(rotated!), secret };
  }

  async deliveries(
    team: WebhookTeam,
    id: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
    await this.endpoint(team.id, id);
    const after = decodeCursor(page.cursor, DeliveryCursorSchema);
    const deliveries = await this.repository.deliveriesOf(
      id,
      after && { createdAt: after[0], id: after[1] },
      page.limit + 1,
    );
    const shown = deliveries.slice(0, page.limit);
    const attempts = await this.repository.attemptsOf(shown.map((delivery) => delivery.id));
    const last = shown.at(-1);
    return {
      items: shown.map((delivery) => toDeliveryView(delivery, attempts.get(delivery.id) ?? [])),
      nextCursor:
        deliveries.length > page.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /** Sends a delivery's message again, with the same `webhook-id`, as a new delivery with its own log. */
  async redeliver(team: WebhookTeam, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.endpoint(team.id, id);
    this.requireEnabled(endpoint);
    const original = await this.repository.deliveryOfEndpoint(id, deliveryId);
    if (!original) throw notFound(`Delivery ${deliveryId}`);
    // The URL the message goes to now: the endpoint's current one (a per-job URL stays the job's).
    const url = endpoint.kind === 'endpoint' && endpoint.url ? endpoint.url : original.url;
    return this.enqueueNew({
      id: randomUUID(),
      endpointId: id,
      messageId: original.messageId,
      eventType: original.eventType,
      url,
      jobId: original.jobId,
      payload: original.payload,
    });
  }

  /** A `webhook.test` message through the real delivery path. */
  async sendTest(team: WebhookTeam, id: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.endpoint(team.id, id);
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
   * Checks a job's `webhookUrl` at creation: the target must pass the SSRF guard, and the team the
   * job is charged to needs the signing identity of per-job URLs (otherwise nobody could verify
   * the messages): its events are the team's, signed with the team's secret.
   */
  async checkJobWebhookUrl(teamId: string, url: string): Promise<void> {
    await this.checkTarget(url, 'webhookUrl');
    if (!(await this.repository.hasEnabledJobUrls(teamId))) {
      throw new DomainError(
        'UNPROCESSABLE',
        "A job webhookUrl is signed with the team's per-job signing secret, which does not exist yet (or is disabled): a team admin creates it with POST /v1/webhooks/job-urls first.",
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

  private requireEnabled(endpoint: WebhookEndpoint): void {
    if (!endpoint.enabled) {
      throw new DomainError(
        'INVALID_STATE',
        `The endpoint is disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason})` : ''}; enable it first (PATCH with {"enabled": true}).`,
      );
    }
  }

  private async enqueueNew(delivery: NewDelivery): Promise<WebhookDeliveryView> {
    await this.repository.insertDeliveries([delivery]);
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
    return toDeliveryView((await this.repository.delivery(delivery.id))!, []);
  }

  private async endpoint(teamId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.repository.endpointOf(teamId, id);
    if (!endpoint) throw notFound(`Webhook endpoint ${id}`);
    return endpoint;
  }
}
