import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { REDIS } from '../redis/redis.module.ts';

const WINDOW_MS = 60_000;

interface Hit {
  key: string;
  resolve: (count: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Per-user request rate, counted in Redis so the limit holds across replicas. A fixed one-minute
 * window: cheap and good enough to stop a runaway script.
 *
 * Hits that arrive while a count is on its way to Redis go together in the next round trip (one
 * INCRBY per user), and each still learns its own exact position in the window: under load that
 * is one Redis write for many requests instead of one each.
 */
@Injectable()
export class RateLimiter {
  private pending: Hit[] = [];
  private counting = false;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Returns null when allowed, else the seconds until the window resets. */
  async hit(userId: string): Promise<number | null> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const count = await this.count(`${this.config.env.REDIS_PREFIX}:rl:${userId}:${window}`);
    if (count <= this.config.env.RATE_LIMIT_PER_MINUTE) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }

  private count(key: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      if (!this.counting) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.counting = true;
    while (this.pending.length > 0) {
      const hits = this.pending;
      this.pending = [];
      const byKey = new Map<string, Hit[]>();
      for (const hit of hits) {
        const keyHits = byKey.get(hit.key);
        if (keyHits) keyHits.push(hit);
        else byKey.set(hit.key, [hit]);
      }
      const pipeline = this.redis.pipeline();
      // NX keeps the first expiry of the window, so the key always goes away.
      for (const [key, keyHits] of byKey) pipeline.incrby(key, keyHits.length).pexpire(key, WINDOW_MS, 'NX');
      try {
        const results = (await pipeline.exec()) ?? [];
        [...byKey.values()].forEach((keyHits, index) => {
          const [error, total] = results[index * 2] ?? [new Error('Redis gave no answer')];
          if (error) return keyHits.forEach((hit) => hit.reject(error));
          // This batch's hits hold the last places counted so far, in arrival order.
          keyHits.forEach((hit, position) => hit.resolve(Number(total) - keyHits.length + position + 1));
        });
      } catch (error) {
        hits.forEach((hit) => hit.reject(error));
      }
    }
    this.counting = false;
  }
}
