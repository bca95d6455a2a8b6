import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { JOB_NAMES, JobResultSchema, QUEUE_JOB_NAMES, QUEUE_NAMES, jobHandlers } from '@cineweave/contracts';
import { DelayedError, type Job } from 'bullmq';
import { SettlementService } from './settlement.service.ts';

type Handler = (job: Job, token?: string) => Promise<unknown>;

/** Backoff of a result that could not be settled (Postgres away): 1 s, 2 s, 4 s ... at most 30 s. */
export function resultRetryDelayMs(attempt: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, Math.min(attempt - 1, 15)));
}

/**
 * Consumes the results queue. Handlers are declared by job name and checked against the names
 * the contract gives this queue, so the app does not start when one has no handler or two; an
 * unknown name fails that job loudly.
 */
@Processor(QUEUE_NAMES.videoResults, { concurrency: 8 })
export class ResultsProcessor extends WorkerHost {
  private readonly logger = new Logger(ResultsProcessor.name);
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(private readonly settlement: SettlementService) {
    super();
    this.handlers = jobHandlers<Handler>(
      QUEUE_NAMES.videoResults,
      QUEUE_JOB_NAMES[QUEUE_NAMES.videoResults],
      [[JOB_NAMES.result, (job, token) => this.settle(job, token)]],
    );
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`No handler for ${QUEUE_NAMES.videoResults} job "${job.name}"`);
    return handler(job, token);
  }

  private async settle(job: Job, token?: string): Promise<string> {
    const parsed = JobResultSchema.safeParse(job.data);
    if (!parsed.success) {
      // Retrying cannot fix a malformed result: log it and let the job fail for inspection.
      this.logger.error({ bullJobId: job.id, issues: parsed.error.issues }, 'Refused a malformed result');
      throw new Error('Result does not match JobResultSchema');
    }
    try {
      return await this.settlement.settleResult(parsed.data);
    } catch (error) {
      // A rendered video must not be lost because Postgres was briefly away: the result waits and
      // is tried again, with backoff, for as long as it takes (whatever attempts its producer gave
      // it). The reconciler settles from this entry too, should this process die meanwhile.
      const delay = resultRetryDelayMs(job.attemptsStarted);
      this.logger.warn(
        { jobId: parsed.data.jobId, error: (error as Error).message, retryInMs: delay },
        'Could not settle a result; retrying it later',
      );
      await job.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    }
  }
}
