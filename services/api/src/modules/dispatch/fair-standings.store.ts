import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../core/config/app-config.ts';
import { REDIS } from '../../core/redis/redis.module.ts';

/** A waiting job's place in its model's fair order. */
export interface FairPlace {
  /** Jobs a worker of the model takes before this one, every team's. */
  position: number;
  /** Of those, the job's own team's. */
  teamJobsAhead: number;
  /** Other teams with a job ahead. */
  teamsAhead: number;
}

/** A dispatcher that stopped writing (it died) leaves no stale order behind for longer than this. */
const TTL_SECONDS = 30;
const FIELDS_PER_CALL = 5_000;

/**
 * The fair order of each model's waiting jobs, as the dispatching replica last computed it, kept in
 * Redis so that every replica answers "where is my job?" from the dispatcher's decision rather
 * than from admission order. One hash per model: job id -> "position,teamJobsAhead,teamsAhead".
 */
@Injectable()
export class FairStandingsStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  /** Replaces the model's order (jobs first to last, each with its team) in one transaction. */
  async write(model: string, waiting: readonly { id: string; teamId: string }[]): Promise<void> {
    const key = this.key(model);
    const ahead = new Map<string, number>();
    const fields: string[] = [];
    waiting.forEach((job, position) => {
      const own = ahead.get(job.teamId) ?? 0;
      const others = ahead.size - (own > 0 ? 1 : 0);
      fields.push(job.id, `${position},${own},${others}`);
      ahead.set(job.teamId, own + 1);
    });
    const multi = this.redis.multi().del(key);
    for (let i = 0; i < fields.length; i += FIELDS_PER_CALL * 2) {
      multi.hset(key, ...fields.slice(i, i + FIELDS_PER_CALL * 2));
    }
    if (fields.length > 0) multi.expire(key, TTL_SECONDS);
    await multi.exec();
  }

  /** The job's place, or null if the dispatcher has not placed it (or no dispatcher is alive). */
  async read(model: string, jobId: string): Promise<FairPlace | null> {
    const value = await this.redis.hget(this.key(model), jobId);
    if (!value) return null;
    const [position, teamJobsAhead, teamsAhead] = value.split(',').map(Number);
    return { position, teamJobsAhead, teamsAhead };
  }

  private key(model: string): string {
    return `${this.config.env.QUEUE_PREFIX}:fair-order:${model}`;
  }
}
