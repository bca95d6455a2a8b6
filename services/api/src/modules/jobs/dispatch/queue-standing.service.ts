import { Injectable } from '@nestjs/common';
import type { QueueStanding } from '@cineweave/contracts';
import { AppConfig } from '../../../core/config/app-config.ts';
import { WorkerDirectory } from '../../models/worker-directory.service.ts';
import type { Job } from '../job-row.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { JobsService } from '../jobs.service.ts';
import { queueStandingOf } from './queue-standing.ts';

/** A model's render time is read again at most this often: every waiting job's stream asks. */
const RENDER_TIME_CACHE_MS = 30_000;

/** Where a queued job stands and why it waits: its place in its model's queue and the live workers. */
@Injectable()
export class QueueStandings {
  private readonly renderTimes = new Map<string, { at: number; seconds: Promise<number> }>();

  constructor(
    private readonly jobs: JobsService,
    private readonly records: JobsRepository,
    private readonly workers: WorkerDirectory,
    private readonly config: AppConfig,
  ) {}

  /** Null for a job that is not queued. */
  async of(job: Job): Promise<QueueStanding | null> {
    const position = await this.jobs.queuePosition(job);
    if (position === null) return null;
    const [workers, renderSeconds] = await Promise.all([
      this.workers.workers(),
      this.renderSeconds(job.model),
    ]);
    return queueStandingOf(job.model, position, workers, renderSeconds);
  }

  /** The model's recent median render time; before it has finished jobs, its catalog entry's typical time. */
  private renderSeconds(model: string): Promise<number> {
    const now = Date.now();
    const cached = this.renderTimes.get(model);
    if (cached && now - cached.at < RENDER_TIME_CACHE_MS) return cached.seconds;
    const typical = this.config.catalog.find((entry) => entry.id === model)?.typicalSeconds ?? 60;
    const seconds = this.records.recentRenderSeconds(model).then((measured) => measured ?? typical);
    this.renderTimes.set(model, { at: now, seconds });
    // A failed read is not remembered: the next caller tries again.
    seconds.catch(() => this.renderTimes.delete(model));
    return seconds;
  }
}
