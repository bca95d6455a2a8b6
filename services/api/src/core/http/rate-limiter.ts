import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { REDIS } from '../redis/redis.module.ts';

const WINDOW_MS = 60_000;

/**
 * Per-user request rate, counted in Redis so the limit holds across replicas. A fixed one-minute
 * window: cheap (one round trip) and good enough to stop a runaway script.
 */
@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Returns null when allowed, else the seconds until the window resets. */
  async hit(userId: string): Promise<number | null> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    const key = `${this.config.env.REDIS_PREFIX}:rl:${userId}:${window}`;
    // One round trip; NX keeps the first expiry of the window, so the key always goes away.
    const results = await this.redis.pipeline().incr(key).pexpire(key, WINDOW_MS, 'NX').exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    if (count <= this.config.env.RATE_LIMIT_PER_MINUTE) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }
}
