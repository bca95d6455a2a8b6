import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { REDIS } from '../redis/redis.module.ts';

const WINDOW_MS = 60_000;

/**
 * Below this share of the limit (by the last count Redis gave plus this replica's hits since),
 * a hit is let through at once and counted on the way instead of waiting for Redis.
 */
const CLEAR_SHARE = 0.5;

interface Hit {
  key: string;
  resolve: (count: number) => void;
  reject: (error: unknown) => void;
}

/** What this replica knows of one user's count in the current window. */
interface Tally {
  /** The highest total Redis has answered with: every replica's hits counted so far. */
  confirmed: number;
  /** This replica's hits sent or about to be sent whose answer has not come back. */
  unanswered: number;
}

/**
 * Per-user request rate, counted in Redis so the limit holds across replicas. A fixed one-minute
 * window: cheap and good enough to stop a runaway script.
 *
 * Hits that arrive while a count is on its way to Redis go together in the next round trip (one
 * INCRBY per user), and each still learns its own exact position in the window: under load that
 * is one Redis write for many requests instead of one each. While a user is clearly under the
 * limit (under half of it, by the last count plus this replica's unanswered hits) a hit does not
 * wait for its answer; nearer the limit every hit waits, so the limit itself stays exact. Hits
 * other replicas make within one round trip are the only ones a replica cannot see yet.
 */
@Injectable()
export class RateLimiter {
  private pending: Hit[] = [];
  private counting = false;
  private window = 0;
  private tallies = new Map<string, Tally>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Returns null when allowed, else the seconds until the window resets. */
  async hit(userId: string): Promise<number | null> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.tallies = new Map();
    }
    const key = `${this.config.env.REDIS_PREFIX}:rl:${userId}:${window}`;
    const limit = this.config.env.RATE_LIMIT_PER_MINUTE;
    const tally = this.tallies.get(key);
    // Only after Redis has answered once this window: another replica may have counted hits already.
    if (tally && tally.confirmed > 0 && tally.confirmed + tally.unanswered + 1 <= limit * CLEAR_SHARE) {
      // A failed count forgets the tally, so the next hits wait for Redis and report the error.
      this.count(key).catch(() => this.tallies.delete(key));
      return null;
    }
    const count = await this.count(key);
    if (count <= limit) return null;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }

  private count(key: string): Promise<number> {
    const tally = this.tallies.get(key);
    if (tally) tally.unanswered++;
    else this.tallies.set(key, { confirmed: 0, unanswered: 1 });
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
        [...byKey].forEach(([key, keyHits], index) => {
          const [error, total] = results[index * 2] ?? [new Error('Redis gave no answer')];
          if (error) return this.fail(key, keyHits, error);
          this.answered(key, keyHits.length, Number(total));
          // This batch's hits hold the last places counted so far, in arrival order.
          keyHits.forEach((hit, position) => hit.resolve(Number(total) - keyHits.length + position + 1));
        });
      } catch (error) {
        for (const [key, keyHits] of byKey) this.fail(key, keyHits, error);
      }
    }
    this.counting = false;
  }

  private answered(key: string, hits: number, total: number): void {
    const tally = this.tallies.get(key);
    if (!tally) return; // a past window's answer
    tally.unanswered = Math.max(0, tally.unanswered - hits);
    tally.confirmed = Math.max(tally.confirmed, total);
  }

  private fail(key: string, hits: Hit[], error: unknown): void {
    this.tallies.delete(key);
    for (const hit of hits) hit.reject(error);
  }
}
