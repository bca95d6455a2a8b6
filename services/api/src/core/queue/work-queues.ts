import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { workQueueName } from '@cineweave/contracts';
import { Queue, QueueEvents, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from '../redis/redis.ts';

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

  constructor(private readonly config: AppConfig) {
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
