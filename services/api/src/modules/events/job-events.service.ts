import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type JobEvent, JobEventSchema } from '@cineweave/contracts';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../core/config/app-config.ts';
import { REDIS, REDIS_SUBSCRIBER } from '../../core/redis/redis.module.ts';

/**
 * Live job events for SSE, published through Redis so every replica's subscribers hear them,
 * whichever replica made the change. Each change (progress included) is applied, and so
 * published, by one replica only: every subscriber gets each event once.
 */
@Injectable()
export class JobEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobEventsService.name);
  private readonly local = new EventEmitter();
  private readonly pattern: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    config: AppConfig,
  ) {
    this.pattern = `${config.env.REDIS_PREFIX}:job-events:`;
    // One listener per open SSE stream; thousands are normal.
    this.local.setMaxListeners(0);
  }

  async onModuleInit(): Promise<void> {
    this.subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) => {
      let event;
      try {
        event = JobEventSchema.safeParse(JSON.parse(message));
      } catch (error) {
        this.logger.warn({ error: (error as Error).message }, 'Dropped an unreadable job event');
        return;
      }
      // A replica of another version may speak a newer event: its subscribers are told by that replica.
      if (event.success) this.emitLocal(event.data);
      else this.logger.warn({ issues: event.error.issues }, 'Dropped a job event that matches no JobEvent');
    });
    await this.subscriber.psubscribe(`${this.pattern}*`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.punsubscribe().catch(() => undefined);
  }

  /** To every replica (including this one). Best effort: Postgres holds the truth, SSE is a view. */
  async publish(event: JobEvent): Promise<void> {
    await this.redis
      .publish(`${this.pattern}${event.data.jobId}`, JSON.stringify(event))
      .catch((error: Error) =>
        this.logger.warn({ jobId: event.data.jobId, error: error.message }, 'Could not publish a job event'),
      );
  }

  private emitLocal(event: JobEvent): void {
    this.local.emit(event.data.jobId, event);
  }

  subscribe(jobId: string, listener: (event: JobEvent) => void): () => void {
    this.local.on(jobId, listener);
    return () => this.local.off(jobId, listener);
  }
}
