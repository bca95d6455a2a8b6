import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { API_METRICS, workQueueName } from '@cineweave/contracts';
import { Queue, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config.ts';
import { MetricsService } from '../metrics/metrics.service.ts';
import { redisOptions } from '../redis/redis.ts';
import { type QueueEvent, QueueEventGroup } from './queue-event-group.ts';

type QueueCounts = Record<'waiting' | 'prioritized' | 'delayed' | 'active', number>;

/** Applies one event of a model's work queue; called on exactly one replica per event. */
export type WorkQueueEventHandler = (model: string, queue: Queue, event: QueueEvent) => Promise<void>;

/** The consumer group every API replica joins on each work queue's events stream. */
export const WORK_EVENTS_GROUP = 'cineweave-api';

/**
 * An event a replica took and did not acknowledge for this long is taken over by another: the
 * replica died (handlers take milliseconds, not seconds).
 */
const CLAIM_IDLE_MS = 30_000;

/**
 * The per-model work queues (`video-jobs.<model>`), opened on first use. Producers take a model's
 * queue with `forModel`; `watch` also joins the queue's event stream (active, progress, failed)
 * as a member of one consumer group shared by every replica, so each event is handled by one
 * replica only (see QueueEventGroup). Models are not known at start-up (any catalog entry can get
 * jobs), hence lazily.
 */
@Injectable()
export class WorkQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkQueues.name);
  private readonly queues = new Map<string, Queue>();
  private readonly groups = new Map<string, Promise<QueueEventGroup>>();
  private setHandler!: (handler: WorkQueueEventHandler) => void;
  /** Events wait for the handler: none is acknowledged before it could be applied. */
  private readonly handler = new Promise<WorkQueueEventHandler>((resolve) => (this.setHandler = resolve));
  private readonly connection: RedisOptions;
  /** Acknowledges and claims events; the blocking reads have a connection each. */
  private readonly redis: Redis;
  /** This replica's name in the consumer groups. */
  private readonly consumer = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private closed = false;
  private counting: Promise<Map<string, QueueCounts>> | undefined;

  constructor(
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    // One series per model queue this replica follows (every model with unfinished jobs).
    metrics.gauge({
      name: API_METRICS.queueWaiting,
      help: 'Jobs waiting in the work queue.',
      labelNames: ['queue'],
      collect: async (gauge) => {
        for (const [queue, counts] of await this.counts()) {
          gauge.set({ queue }, counts.waiting + counts.prioritized + counts.delayed);
        }
      },
    });
    metrics.gauge({
      name: API_METRICS.queueActive,
      help: 'Jobs being worked on.',
      labelNames: ['queue'],
      collect: async (gauge) => {
        for (const [queue, counts] of await this.counts()) gauge.set({ queue }, counts.active);
      },
    });
    this.connection = redisOptions(config.env.REDIS_URL) as RedisOptions;
    this.redis = new Redis({
      ...redisOptions(config.env.REDIS_URL),
      lazyConnect: true,
      maxRetriesPerRequest: 2,
    });
    this.redis.on('error', (error) => this.logger.warn({ error: error.message }, 'Redis error'));
  }

  /** The producer side of a model's queue. */
  forModel(model: string): Queue {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = new Queue(workQueueName(model), {
        connection: this.connection,
        prefix: this.config.env.QUEUE_PREFIX,
      });
      queue.on('error', (error) => this.logger.warn({ model, error: error.message }, 'Work queue error'));
      this.queues.set(model, queue);
    }
    return queue;
  }

  /**
   * Starts consuming a model's queue events on this replica (idempotent). Resolves once no event
   * can be missed: the group exists, so a job added after this resolves has all its events
   * delivered (to this replica or another), even if a worker takes it before the reader connects.
   */
  watch(model: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    let opening = this.groups.get(model);
    if (!opening) {
      opening = this.open(model);
      this.groups.set(model, opening);
      // Redis away: forget the attempt so the next call tries again.
      opening.catch(() => this.groups.delete(model));
    }
    return opening.then(() => undefined);
  }

  private async open(model: string): Promise<QueueEventGroup> {
    const queue = this.forModel(model);
    const blocking = new Redis({ ...redisOptions(this.config.env.REDIS_URL), maxRetriesPerRequest: null });
    blocking.on('error', (error) => this.logger.warn({ model, error: error.message }, 'Queue events error'));
    const group = new QueueEventGroup({
      stream: queue.keys['events'] as string,
      group: WORK_EVENTS_GROUP,
      consumer: this.consumer,
      blocking,
      redis: this.redis,
      claimIdleMs: CLAIM_IDLE_MS,
      onError: (error) => this.logger.warn({ model, error: error.message }, 'Queue events error'),
    });
    try {
      await group.start(async (event) => (await this.handler)(model, queue, event));
    } catch (error) {
      blocking.disconnect();
      throw error;
    }
    return group;
  }

  /** Sets the one handler of work-queue events: an event is acknowledged once it settled, so it has one owner. */
  onEvent(handler: WorkQueueEventHandler): void {
    this.setHandler(handler);
  }

  /** Both queue gauges collect in one scrape: they share one read of the counts. */
  private counts(): Promise<Map<string, QueueCounts>> {
    this.counting ??= this.readCounts().finally(() => (this.counting = undefined));
    return this.counting;
  }

  /** Job counts of every work queue this replica has opened, by queue name. */
  private async readCounts(): Promise<Map<string, QueueCounts>> {
    const entries = await Promise.all(
      this.models().map(async (model) => {
        const counts = await this.forModel(model).getJobCounts('waiting', 'prioritized', 'delayed', 'active');
        return [
          workQueueName(model),
          {
            waiting: counts['waiting'] ?? 0,
            prioritized: counts['prioritized'] ?? 0,
            delayed: counts['delayed'] ?? 0,
            active: counts['active'] ?? 0,
          },
        ] as const;
      }),
    );
    return new Map(entries);
  }

  /** Models whose queue this replica has opened. */
  models(): string[] {
    return [...this.queues.keys()].sort();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.groups.values()].map(async (group) => (await group).close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.redis.disconnect();
  }
}
