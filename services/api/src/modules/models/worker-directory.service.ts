import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  WorkerHeartbeatSchema,
  workerHeartbeatKey,
  workerIndexKey,
  type WorkerHeartbeat,
} from '@cineweave/contracts';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../core/config/app-config.ts';
import { REDIS } from '../../core/redis/redis.module.ts';

/** Heartbeats are read again at most this often: admission asks on every job. */
const CACHE_MS = 1000;

/**
 * The workers alive right now, from the heartbeats they write (a key each, with a TTL: a worker that
 * dies drops out within WORKER_HEARTBEAT.ttlSeconds). Only what is there now counts; nothing is stored.
 */
@Injectable()
export class WorkerDirectory {
  private readonly logger = new Logger(WorkerDirectory.name);
  private cached: { at: number; workers: Promise<WorkerHeartbeat[]> } | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  workers(): Promise<WorkerHeartbeat[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const workers = this.read();
      this.cached = { at: now, workers };
      // A failed read is not remembered: the next caller tries again.
      workers.catch(() => (this.cached = undefined));
    }
    return this.cached.workers;
  }

  /** Ready workers of one model. */
  async ready(model: string): Promise<WorkerHeartbeat[]> {
    return (await this.workers()).filter((worker) => worker.ready && worker.model === model);
  }

  private async read(): Promise<WorkerHeartbeat[]> {
    const prefix = this.config.env.QUEUE_PREFIX;
    const index = workerIndexKey(prefix);
    const now = Date.now();
    // Entries of workers gone without a word are dropped here; their keys expired by themselves.
    const answers = await this.redis
      .multi()
      .zremrangebyscore(index, '-inf', now)
      .zrangebyscore(index, now, '+inf')
      .exec();
    const [error, ids] = answers?.[1] ?? [new Error('The worker index read was aborted'), []];
    if (error) throw error;
    const keys = (ids as string[]).map((workerId) => workerHeartbeatKey(prefix, workerId));
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    const workers: WorkerHeartbeat[] = [];
    values.forEach((value, index) => {
      if (value === null) return; // expired between SCAN and MGET
      try {
        workers.push(WorkerHeartbeatSchema.parse(JSON.parse(value)));
      } catch (error) {
        // A worker of another version, or garbage: it does not count, and someone should know.
        this.logger.warn({ key: keys[index], err: error }, 'Ignored a worker heartbeat that does not parse');
      }
    });
    return workers;
  }
}
