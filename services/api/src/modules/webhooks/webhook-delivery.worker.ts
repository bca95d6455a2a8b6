import { InjectQueue } from '@nestjs/bullmq';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { WEBHOOK_QUEUE } from '@cineweave/contracts';
import { DelayedError, type Job, type Queue, type RedisOptions, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../core/config/app-config.ts';
import { Database } from '../../core/database/database.ts';
import { REDIS } from '../../core/redis/redis.module.ts';
import { redisOptions } from '../../core/redis/redis.ts';
import { DELIVER_JOB, type DeliverJobData, deliverJobOptions, nextRetryDelay } from './delivery-schedule.ts';
import { type SendOutcome, sendWebhook } from './webhook-sender.ts';
import { signMessage } from './webhook-signing.ts';
import { type WebhookDelivery, type WebhookEndpoint, signingSecrets } from './webhook-rows.ts';
import { type AttemptOutcome, WebhooksRepository } from './webhooks.repository.ts';

/** How long a delivery waits before asking again for one of its endpoint's busy slots. */
const SLOT_RETRY_MS = 250;

/**
 * Sends deliveries. Each attempt: load the delivery and its endpoint (the rows decide; a finished
 * delivery or a stale attempt is skipped), take one of the endpoint's concurrency slots (Redis
 * keys with an expiry, so a crashed process cannot hold one forever), sign and send, then record
 * the attempt, the delivery's new state and the endpoint's run of failures in one transaction,
 * and schedule the retry if there is one.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private worker: Worker<DeliverJobData> | undefined;

  constructor(
    private readonly db: Database,
    private readonly repository: WebhooksRepository,
    @InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverJobData>,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const env = this.config.env;
    this.worker = new Worker<DeliverJobData>(WEBHOOK_QUEUE, (job, token) => this.process(job, token), {
      // Workers wait for Redis rather than fail.
      connection: { ...redisOptions(env.REDIS_URL), maxRetriesPerRequest: null } as RedisOptions,
      prefix: env.QUEUE_PREFIX,
      concurrency: env.WEBHOOK_WORKER_CONCURRENCY,
    });
    this.worker.on('error', (error) => this.logger.warn({ error: error.message }, 'Webhook worker error'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async process(job: Job<DeliverJobData>, token: string | undefined): Promise<void> {
    if (job.name !== DELIVER_JOB) throw new Error(`No handler for ${WEBHOOK_QUEUE} job "${job.name}"`);
    const { deliveryId, attempt } = job.data;
    const found = await this.repository.deliveryWithEndpoint(deliveryId);
    // Deleted, finished, or an attempt the row has moved past: nothing to do.
    if (!found || found.delivery.status !== 'pending' || found.delivery.attempts !== attempt - 1) return;
    const { delivery, endpoint } = found;
    if (!endpoint.enabled) {
      await this.repository.failPending(
        deliveryId,
        'The endpoint is disabled; redeliver once it is enabled again.',
      );
      return;
    }

    // An endpoint's URL may have been changed since the event: send to where it points now.
    const target = endpoint.kind === 'endpoint' && endpoint.url ? endpoint.url : delivery.url;
    if (target !== delivery.url) {
      await this.repository.retarget(deliveryId, target);
    }
    const slot = await this.takeSlot(endpoint.id);
    if (!slot) {
      await job.moveToDelayed(Date.now() + SLOT_RETRY_MS + Math.random() * SLOT_RETRY_MS, token);
      throw new DelayedError();
    }
    let outcome: SendOutcome;
    const at = new Date();
    try {
      const message = signMessage(
        delivery.messageId,
        JSON.stringify(delivery.payload),
        signingSecrets(endpoint),
        at,
      );
      outcome = await sendWebhook(target, message, {
        policy: { allowPrivate: false, allowList: this.config.env.SSRF_ALLOW_CIDRS },
        timeoutMs: this.config.env.WEBHOOK_TIMEOUT_MS,
      });
    } finally {
      await this.releaseSlot(slot);
    }
    await this.record(delivery, endpoint, attempt, at, outcome);
  }

  private async record(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    attempt: number,
    at: Date,
    outcome: SendOutcome,
  ): Promise<void> {
    const env = this.config.env;
    const retryIn = outcome.succeeded
      ? null
      : nextRetryDelay(attempt, delivery.createdAt, {
          baseMs: env.WEBHOOK_BACKOFF_BASE_MS,
          maxMs: env.WEBHOOK_BACKOFF_MAX_MS,
          windowMs: env.WEBHOOK_RETRY_WINDOW_SECONDS * 1000,
        });
    const logged: AttemptOutcome = { at, ...outcome };
    const disabledNow = await this.db.transaction(async (tx) => {
      await this.repository.insertAttempt(delivery.id, attempt, logged, tx);
      // Only per-endpoint URLs count towards disabling: a bad per-job URL must not silence the rest.
      const counted = endpoint.kind === 'endpoint';
      let disabled = false;
      if (outcome.succeeded) {
        if (counted) await this.repository.resetFailures(endpoint.id, tx);
      } else if (counted) {
        const updated = await this.repository.countFailure(
          endpoint.id,
          env.WEBHOOK_DISABLE_AFTER_FAILURES,
          `Disabled automatically after ${env.WEBHOOK_DISABLE_AFTER_FAILURES} failed attempts in a row (last: ${outcome.error ?? 'no answer'}). Fix the receiver, then enable the endpoint again.`,
          tx,
        );
        disabled = updated?.enabled === false && endpoint.enabled;
      }
      const finalFailure = !outcome.succeeded && (retryIn === null || disabled);
      await this.repository.settleAttempt(
        delivery.id,
        attempt,
        logged,
        finalFailure,
        (retryIn ?? 0) / 1000,
        tx,
      );
      return disabled;
    });
    if (disabledNow)
      this.logger.warn({ endpointId: endpoint.id }, 'Disabled a webhook endpoint after a run of failures');
    if (!outcome.succeeded && retryIn !== null && !disabledNow) {
      const data = { deliveryId: delivery.id, attempt: attempt + 1 };
      // Lost if Redis is away now: the dispatcher's sweep schedules it from the row.
      await this.queue
        .add(DELIVER_JOB, data, deliverJobOptions(data, retryIn))
        .catch((error: Error) =>
          this.logger.warn(
            { deliveryId: delivery.id, error: error.message },
            'Could not schedule a webhook retry',
          ),
        );
    }
  }

  private slotKey(endpointId: string, index: number): string {
    return `${this.config.env.REDIS_PREFIX}:webhook-slot:${endpointId}:${index}`;
  }

  /** One of the endpoint's WEBHOOK_ENDPOINT_CONCURRENCY slots, held at most as long as an attempt can take. */
  private async takeSlot(endpointId: string): Promise<{ key: string; owner: string } | null> {
    const owner = randomUUID();
    const ttl = this.config.env.WEBHOOK_TIMEOUT_MS + 5_000;
    for (let index = 0; index < this.config.env.WEBHOOK_ENDPOINT_CONCURRENCY; index++) {
      const key = this.slotKey(endpointId, index);
      if ((await this.redis.set(key, owner, 'PX', ttl, 'NX')) === 'OK') return { key, owner };
    }
    return null;
  }

  private async releaseSlot(slot: { key: string; owner: string }): Promise<void> {
    // Delete only our own hold: past its expiry another attempt may own the key.
    await this.redis
      .eval(
        `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`,
        1,
        slot.key,
        slot.owner,
      )
      .catch(() => undefined);
  }
}
