import { InjectQueue } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES, WEBHOOK_QUEUE } from '@cineweave/contracts';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../core/config/app-config.ts';
import { Database } from '../../core/database/database.ts';
import { Scheduler } from '../../core/scheduling/scheduler.ts';
import { DELIVER_JOB, type DeliverJobData, deliverJobOptions } from './delivery-schedule.ts';
import { type NewDelivery, type WebhookEndpoint, type WebhookEvent, messageIdOf } from './webhook-rows.ts';
import { WebhooksRepository } from './webhooks.repository.ts';

const BATCH = 200;

/** The `data` of a job event's message, from the job row's `to_jsonb` snapshot the trigger took. */
export type JobEventRenderer = (snapshot: Record<string, unknown>) => unknown;

/**
 * Turns committed webhook events (written by the database triggers) into deliveries: one per
 * listening endpoint, plus one to the job's own `webhookUrl`, in the transaction that deletes
 * the events; then schedules their first attempt. A crash between the commit and the queue is
 * repaired by the sweep, which schedules any pending delivery whose attempt is overdue (an
 * attempt already queued has the same job id, so nothing is sent twice by it). Finished
 * deliveries older than the retention period are deleted by a periodic task, once per cluster.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private ticks = 0;
  private jobRenderer: JobEventRenderer | undefined;

  constructor(
    private readonly db: Database,
    private readonly repository: WebhooksRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverJobData>,
    private readonly config: AppConfig,
    private readonly scheduler: Scheduler,
  ) {}

  /**
   * How a job event's payload is rendered from the job row's snapshot: the jobs module says (it
   * owns the job's view), so webhooks need not know what a job looks like.
   */
  renderJobEventsWith(renderer: JobEventRenderer): void {
    this.jobRenderer = renderer;
  }

  private renderJob(snapshot: Record<string, unknown>): unknown {
    if (!this.jobRenderer)
      throw new Error('No renderer of job events was registered (JobsModule renders them)');
    return this.jobRenderer(snapshot);
  }

  onModuleInit(): void {
    this.scheduler.register({
      name: MAINTENANCE_JOB_NAMES.expireWebhookDeliveries,
      every: this.config.env.RETENTION_SWEEP_SECONDS * 1000,
      run: () => this.expire(),
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), this.config.env.WEBHOOK_POLL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.stopped || this.running) return;
    this.running = this.pass()
      .catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'Webhook dispatch pass failed; retrying on the next tick'),
      )
      .finally(() => {
        this.running = null;
      });
  }

  private async pass(): Promise<void> {
    while ((await this.dispatchOnce()) === BATCH) {
      /* keep going while full batches come back */
    }
    // The sweep is cheap but needs no sub-second cadence.
    if (this.ticks++ % 10 === 0) {
      await this.sweep();
    }
  }

  /** Fans out one batch of events; returns how many events it took. */
  async dispatchOnce(): Promise<number> {
    const { events, deliveries } = await this.db.transaction(async (tx) => {
      const events = await this.repository.takeEvents(BATCH, tx);
      if (events.length === 0) return { events, deliveries: [] };
      const endpoints = await this.repository.enabledEndpointsOf(
        [...new Set(events.map((event) => event.accountId))],
        tx,
      );
      const deliveries = events.flatMap((event) => this.deliveriesFor(event, endpoints));
      await this.repository.insertDeliveries(deliveries, tx);
      return { events, deliveries };
    });
    await this.schedule(deliveries.map((delivery) => delivery.id));
    if (events.length > 0) {
      this.logger.debug(
        { events: events.length, deliveries: deliveries.length },
        'Dispatched webhook events',
      );
    }
    return events.length;
  }

  private deliveriesFor(event: WebhookEvent, endpoints: WebhookEndpoint[]): NewDelivery[] {
    const mine = endpoints.filter((endpoint) => endpoint.accountId === event.accountId);
    const targets: { endpoint: WebhookEndpoint; url: string }[] = [];
    for (const endpoint of mine) {
      if (endpoint.kind !== 'endpoint' || !endpoint.url || !endpoint.eventTypes.includes(event.type))
        continue;
      if (event.type === 'credits.low') {
        // The trigger fired because some threshold was crossed; send only to those whose was.
        const { available, previousAvailable } = event.data as {
          available: number;
          previousAvailable: number;
        };
        if (!(available < endpoint.creditsLowThreshold && previousAvailable >= endpoint.creditsLowThreshold))
          continue;
      }
      targets.push({ endpoint, url: endpoint.url });
    }
    // The job row's snapshot, as the trigger took it.
    const jobUrl = event.jobId ? (event.data.webhook_url as string | null) : null;
    const jobUrls = mine.find((endpoint) => endpoint.kind === 'job-urls');
    if (jobUrl && jobUrls) targets.push({ endpoint: jobUrls, url: jobUrl });

    return targets.map(({ endpoint, url }) => {
      const id = randomUUID();
      return {
        id,
        endpointId: endpoint.id,
        messageId: messageIdOf(id),
        eventType: event.type,
        url,
        jobId: event.jobId,
        payload: {
          type: event.type,
          timestamp: event.createdAt.toISOString(),
          data:
            event.type === 'credits.low'
              ? {
                  balance: event.data.balance,
                  reserved: event.data.reserved,
                  available: event.data.available,
                  threshold: endpoint.creditsLowThreshold,
                }
              : this.renderJob(event.data),
        },
      };
    });
  }

  /** Queues the first attempt of new deliveries. */
  async schedule(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue.addBulk(
      deliveryIds.map((deliveryId) => {
        const data = { deliveryId, attempt: 1 };
        return { name: DELIVER_JOB, data, opts: deliverJobOptions(data) };
      }),
    );
  }

  /**
   * Re-queues pending deliveries whose attempt is overdue: Redis lost them, or the process died
   * between a commit and the add. An attempt still in the queue keeps its job id and the add is
   * a no-op.
   */
  async sweep(): Promise<void> {
    const overdue = await this.repository.overdueDeliveries(
      Math.max(5, (this.config.env.WEBHOOK_POLL_MS * 10) / 1000) + this.config.env.WEBHOOK_TIMEOUT_MS / 1000,
      500,
    );
    if (overdue.length === 0) return;
    await this.queue.addBulk(
      overdue.map((row) => {
        const data = { deliveryId: row.id, attempt: row.attempts + 1 };
        return { name: DELIVER_JOB, data, opts: deliverJobOptions(data) };
      }),
    );
  }

  /** The delivery log is kept for RETENTION_HOURS after a delivery ends. */
  async expire(): Promise<void> {
    await this.repository.deleteFinishedBefore(this.config.env.RETENTION_HOURS);
  }

  /** Dispatch everything committed so far (tests and shutdown paths). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    while ((await this.dispatchOnce()) > 0) {
      /* drain */
    }
  }
}
