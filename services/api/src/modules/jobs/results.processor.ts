import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { JOB_NAMES, JobResultSchema, QUEUE_NAMES } from '@cineweave/contracts';
import type { Job } from 'bullmq';
import { SettlementService } from './settlement.service.ts';

type Handler = (job: Job) => Promise<unknown>;

/**
 * Consumes the results queue. Handlers are declared by job name; start-up fails if a name the
 * contract defines for this queue has none, and an unknown name fails that job loudly.
 */
@Processor(QUEUE_NAMES.videoResults, { concurrency: 8 })
export class ResultsProcessor extends WorkerHost implements OnModuleInit {
  private readonly logger = new Logger(ResultsProcessor.name);
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(private readonly settlement: SettlementService) {
    super();
    this.handlers = new Map<string, Handler>([[JOB_NAMES.result, (job) => this.settle(job)]]);
  }

  onModuleInit(): void {
    for (const name of [JOB_NAMES.result]) {
      if (!this.handlers.has(name))
        throw new Error(`No handler for ${QUEUE_NAMES.videoResults} job "${name}"`);
    }
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`No handler for ${QUEUE_NAMES.videoResults} job "${job.name}"`);
    return handler(job);
  }

  private async settle(job: Job): Promise<string> {
    const parsed = JobResultSchema.safeParse(job.data);
    if (!parsed.success) {
      // Retrying cannot fix a malformed result: log it and let the job fail for inspection.
      this.logger.error({ bullJobId: job.id, issues: parsed.error.issues }, 'Refused a malformed result');
      throw new Error('Result does not match JobResultSchema');
    }
    return this.settlement.settleResult(parsed.data);
  }
}
