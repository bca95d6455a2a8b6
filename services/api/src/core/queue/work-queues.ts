import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { workQueueName } from '@cineweave/contracts';
import { Queue, QueueEvents, type RedisOptions } from 'bullmq';
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
  private readonly events = new Map<string, QueueEvents>();
  private readonly watchers: WorkQueueWatcher[] = [];
  private readonly connection: RedisOptions;
  private closed = false;

  constructor(private readonly config: AppConfig) {
    this.connection = redisOptions(config.env.REDIS_URL) as RedisOptions;
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

  /** Starts following a model's queue events on this replica (idempotent). */
  watch(model: string): void {
    if (this.closed || this.events.has(model)) return;
    const queue = this.forModel(model);
    const events = new QueueEvents(workQueueName(model), {
      connection: this.connection,
      prefix: this.config.env.QUEUE_PREFIX,
    });
    events.on('error', (error) => this.logger.warn({ model, error: error.message }, 'Queue events error'));
    this.events.set(model, events);
    for (const watcher of this.watchers) watcher(model, queue, events);
  }

  /** Registers a watcher; it is also called for the queues already watched. */
  onWatch(watcher: WorkQueueWatcher): void {
    this.watchers.push(watcher);
    for (const [model, events] of this.events) watcher(model, this.forModel(model), events);
  }

  /** Models whose queue this replica has opened. */
  models(): string[] {
    return [...this.queues.keys()].sort();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.events.values()].map((events) => events.close()));
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
  }
}
