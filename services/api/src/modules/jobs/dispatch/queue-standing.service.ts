import { Injectable } from '@nestjs/common';
import type { QueueStanding } from '@cineweave/contracts';
import { WorkerDirectory } from '../../models/worker-directory.service.ts';
import type { Job } from '../job-row.ts';
import { JobsService } from '../jobs.service.ts';
import { queueStandingOf } from './queue-standing.ts';

/** Where a queued job stands and why it waits: its place in its model's queue and the live workers. */
@Injectable()
export class QueueStandings {
  constructor(
    private readonly jobs: JobsService,
    private readonly workers: WorkerDirectory,
  ) {}

  /** Null for a job that is not queued. */
  async of(job: Job): Promise<QueueStanding | null> {
    const position = await this.jobs.queuePosition(job);
    if (position === null) return null;
    return queueStandingOf(job.model, position, await this.workers.workers());
  }
}
