import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.ts';
import { FairDispatchRepository } from './fair-dispatch.repository.ts';

/** A model's render time is read again at most this often: every waiting job's stream asks. */
const CACHE_MS = 30_000;

/**
 * How long a job of a model holds a worker: the median wall time of its recent succeeded jobs
 * (index `jobs_model_recent`), or its catalog entry's typical time before it has any. One figure
 * for both the queue estimate people read and the GPU-seconds the fair dispatcher charges a team
 * when its job starts, so the two never disagree about what a job costs.
 */
@Injectable()
export class RenderTimes {
  private readonly cache = new Map<string, { at: number; seconds: Promise<number> }>();

  constructor(
    private readonly records: FairDispatchRepository,
    private readonly config: AppConfig,
  ) {}

  seconds(model: string): Promise<number> {
    const now = Date.now();
    const cached = this.cache.get(model);
    if (cached && now - cached.at < CACHE_MS) return cached.seconds;
    const typical = this.config.catalog.find((entry) => entry.id === model)?.typicalSeconds ?? 60;
    // A job measured at 0 s (clock skew, an instant failure recorded as success) would be free.
    const seconds = this.records
      .recentRenderSeconds(model)
      .then((measured) => (measured !== null && measured > 0 ? measured : typical));
    this.cache.set(model, { at: now, seconds });
    // A failed read is not remembered: the next caller tries again.
    seconds.catch(() => this.cache.delete(model));
    return seconds;
  }
}
