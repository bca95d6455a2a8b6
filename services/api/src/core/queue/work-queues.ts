import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { API_METRICS, workQueueName } from '@cineweave/contracts';
import { Queue, QueueEvents, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { MetricsService } from '../metrics/metrics.service.ts';
import { redisOptions } from '../redis/redis.ts';

type QueueCounts = Record<'waiting' | 'prioritized' | 'delayed' | 'active', number>;

/** Called once for every work queue this replica starts watching. */
export type WorkQueueWatcher = (model: string, queue: Queue, events: QueueEvents) => void;

/**
 * The per-model work queues (`video-jobs.<model>`), opened on first use. Producers take a model's
 * queue with `forModel`; `watch` also opens the queue's event stream (active, progress, failed)
 * and hands it to every registered watcher, so the listener does not need to know the models in
 * advance. Models are not known at start-up (any catalog entry can get jobs), hence lazily.
 */
@Injectable()
export class WorkQueues implements OnApplicationShutdown {
  private readonly logger = new Logger(WorkQueues.name);
  private readonly queues = new Map<string, Queue>();
  private readonly events = new Map<string, Promise<QueueEvents>>();
  private readonly watchers: WorkQueueWatcher[] = [];
  private readonly connection: RedisOptions;
  /** Reads where each events stream ends before following it. */
  private readonly redis: Redis;
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
   * Starts following a model's queue events on this replica (idempotent). Resolves once no event
   * can be missed: the stream is read from its last entry as of this call, so a job added after
   * this resolves has all its events seen, even if a worker takes it before the reader connects.
   */
  watch(model: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    let opening = this.events.get(model);
    if (!opening) {
      opening = this.open(model);
      this.events.set(model, opening);
      // Redis away: forget the attempt so the next call tries again.
      opening.catch(() => this.events.delete(model));
    }
    return opening.then(() => undefined);
  }

  private async open(model: string): Promise<QueueEvents> {
    const queue = this.forModel(model);
    const [last] = await this.redis.xrevrange(queue.keys['events'] as string, '+', '-', 'COUNT', 1);
    const events = new QueueEvents(workQueueName(model), {
      connection: this.connection,
      prefix: this.config.env.QUEUE_PREFIX,
      // Not '$' (new events from whenever the reader connects): from the stream's end as of now.
      lastEventId: last?.[0] ?? '0-0',
    });
    events.on('error', (error) => this.logger.warn({ model, error: error.message }, 'Queue events error'));
    for (const watcher of this.watchers) watcher(model, queue, events);
    return events;
  }

  /** Registers a watcher; it is also called for the queues already watched. */
  onWatch(watcher: WorkQueueWatcher): void {
    this.watchers.push(watcher);
    for (const [model, opening] of this.events) {
      void opening.then((events) => watcher(model, this.forModel(model), events)).catch(() => undefined);
    }
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
    await Promise.allSettled([...this.events.values()].map(async (events) => (await events).close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.redis.disconnect();
  }
}
