import { Inject, Injectable, Logger } from '@nestjs/common';
import { WorkerHeartbeatSchema, workerHeartbeatPattern, type WorkerHeartbeat } from '@cineweave/contracts';
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
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(
        cursor,
        'MATCH',
        workerHeartbeatPattern(this.config.env.QUEUE_PREFIX),
        'COUNT',
        500,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
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
