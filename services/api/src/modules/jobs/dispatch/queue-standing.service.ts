import { Injectable } from '@nestjs/common';
import type { QueueStanding } from '@cineweave/contracts';
import { FairStandingsStore } from '../../dispatch/fair-standings.store.ts';
import { RenderTimes } from '../../dispatch/render-times.ts';
import { WorkerDirectory } from '../../models/worker-directory.service.ts';
import type { Job } from '../job-row.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { queueStandingOf } from './queue-standing.ts';

/**
 * Where a queued job stands and why it waits: its place in its model's fair order (as the
 * dispatching replica published it) and the live workers. A job the dispatcher has not placed yet
 * (admitted a moment ago, or no replica dispatches right now) is counted from Postgres instead:
 * every queued job of the model admitted before it, which is what the fair order becomes once
 * the other teams' jobs have run.
 */
@Injectable()
export class QueueStandings {
  constructor(
    private readonly records: JobsRepository,
    private readonly standings: FairStandingsStore,
    private readonly workers: WorkerDirectory,
    private readonly renderTimes: RenderTimes,
  ) {}

  /** Null for a job that is not queued. */
  async of(job: Job): Promise<QueueStanding | null> {
    if (job.status !== 'queued') return null;
    const [place, workers, renderSeconds] = await Promise.all([
      this.standings.read(job.model, job.id).then(
        (fair) => fair ?? this.records.queuedAhead(job),
        // Redis away: Postgres still knows.
        () => this.records.queuedAhead(job),
      ),
      this.workers.workers(),
      this.renderTimes.seconds(job.model),
    ]);
    return queueStandingOf(job.model, place, workers, renderSeconds);
  }
}
