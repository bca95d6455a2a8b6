import { Injectable, Logger } from '@nestjs/common';
import { type JobResult, isFinishedStatus, jobEndEvent } from '@cineweave/contracts';
import { AppConfig } from '../../../core/config/app-config.ts';
import { MetricsService } from '../../../core/metrics/metrics.service.ts';
import { Database, type Sql } from '../../../core/database/database.ts';
import { LedgerRepository } from '../../ledger/ledger.repository.ts';
import { JobEventsService } from '../../events/job-events.service.ts';
import { ModerationService } from '../../moderation/moderation.service.ts';
import { type Job, toJobView } from '../job-row.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { JobTransitions } from '../state/job-transitions.ts';

export type SettleOutcome = 'settled' | 'duplicate' | 'stale' | 'unknown-job';

/** How a job ended, from whichever source decided it. */
export type Ending =
  | { status: 'succeeded'; result: Extract<JobResult, { outcome: 'succeeded' }> }
  | {
      status: 'failed' | 'cancelled';
      reason: string;
      gpuSeconds?: number;
      workerId?: string;
      /** The worker's output check refused the video. */
      contentPolicy?: { outcome: 'refused' | 'refused-on-error'; categories: string[] };
    };

/**
 * Settlement: exactly one of capture or release per job. The job row is locked first, so two
 * results (duplicates, a late success racing a cancel, the reconciler's timeout) serialise, and
 * whichever comes second finds the job finished and changes nothing. The ledger's unique index
 * on (job_id) for outcomes is the backstop if this logic were ever wrong.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    private readonly db: Database,
    private readonly jobs: JobsRepository,
    private readonly transitions: JobTransitions,
    private readonly ledger: LedgerRepository,
    private readonly events: JobEventsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly moderation: ModerationService,
  ) {}

  /** A worker's result; results carrying an older attempt token are ignored. */
  async settleResult(result: JobResult): Promise<SettleOutcome> {
    const ending: Ending =
      result.outcome === 'succeeded'
        ? { status: 'succeeded', result }
        : {
            status: result.outcome,
            reason: result.outcome === 'failed' ? result.reason : 'Cancelled at your request.',
            gpuSeconds: result.gpuSeconds,
            ...(result.workerId ? { workerId: result.workerId } : {}),
            ...(result.outcome === 'failed' && result.contentPolicy
              ? { contentPolicy: result.contentPolicy }
              : {}),
          };
    return this.finish(result.jobId, ending, result.attemptToken);
  }

  /**
   * Ends an active job. With `attemptToken`, only if it is the job's current attempt. Runs in
   * its own transaction unless given one.
   */
  async finish(jobId: string, ending: Ending, attemptToken?: string, tx?: Sql): Promise<SettleOutcome> {
    const outcome = tx
      ? await this.finishIn(tx, jobId, ending, attemptToken)
      : await this.db.transaction((inner) => this.finishIn(inner, jobId, ending, attemptToken));
    if (outcome.kind !== 'settled') {
      this.logger.log({ jobId, outcome: outcome.kind, status: ending.status }, 'Ignored a job ending');
      return outcome.kind;
    }
    this.afterCommit(outcome.job, ending);
    return 'settled';
  }

  private async finishIn(
    tx: Sql,
    jobId: string,
    ending: Ending,
    attemptToken: string | undefined,
  ): Promise<{ kind: 'settled'; job: Job } | { kind: Exclude<SettleOutcome, 'settled'> }> {
    const job = await this.jobs.lock(jobId, tx);
    if (!job) return { kind: 'unknown-job' };
    if (isFinishedStatus(job.status)) return { kind: 'duplicate' };
    if (attemptToken !== undefined && attemptToken !== job.attemptToken) return { kind: 'stale' };

    const credits = job.creditsReserved;
    if (ending.status === 'succeeded') {
      const { result } = ending;
      await this.ledger.record(
        [
          {
            accountId: job.accountId,
            kind: 'capture',
            amount: -credits,
            reservedDelta: -credits,
            activeJobsDelta: -1,
            jobId,
            reason: 'Video delivered',
            actor: 'system',
          },
        ],
        tx,
      );
      // A result can overtake the worker's `active` event: the job ran, so it passes through running.
      if (job.status === 'queued') await this.transitions.start(jobId, tx);
      const updated = await this.transitions.succeed(
        jobId,
        {
          creditsCharged: credits,
          videoKey: result.videoKey,
          thumbnailKey: result.thumbnailKey,
          durationSeconds: result.durationSeconds,
          frames: result.frames,
          modelHash: result.modelHash,
          gpuSeconds: result.gpuSeconds,
          workerId: result.workerId ?? null,
          contentCredentials: result.contentCredentials ?? null,
        },
        tx,
      );
      return settled(updated, job, ending);
    }
    await this.ledger.record(
      [
        {
          accountId: job.accountId,
          kind: 'release',
          amount: 0,
          reservedDelta: -credits,
          activeJobsDelta: -1,
          jobId,
          reason: ending.status === 'cancelled' ? 'Job cancelled' : 'Job failed',
          actor: 'system',
        },
      ],
      tx,
    );
    if (ending.status === 'failed' && ending.contentPolicy) {
      await this.moderation.recordOutputRefusal(
        tx,
        { id: job.id, userId: job.userId, accountId: job.accountId },
        ending.contentPolicy,
        ending.reason,
      );
    }
    const updated = await this.transitions.end(
      jobId,
      ending.status,
      { reason: ending.reason, gpuSeconds: ending.gpuSeconds ?? null, workerId: ending.workerId ?? null },
      tx,
    );
    return settled(updated, job, ending);
  }

  private afterCommit(job: Job, ending: Ending): void {
    this.metrics.jobsFinished.inc({ status: job.status });
    if (job.gpuSeconds) {
      this.metrics.gpuSeconds.inc({ model: job.model }, job.gpuSeconds);
      this.metrics.gpuCost.inc(
        { model: job.model },
        (job.gpuSeconds * this.config.env.GPU_HOURLY_COST_USD) / 3600,
      );
    }
    if (ending.status === 'succeeded') this.metrics.creditsCaptured.inc(job.creditsReserved);
    else this.metrics.creditsReleased.inc(job.creditsReserved);
    void this.events.publish(jobEndEvent(toJobView(job, this.config.env.RETENTION_HOURS)));
    this.logger.log({ jobId: job.id, status: job.status, credits: job.creditsReserved }, 'Settled job');
  }
}

/**
 * The row under FOR UPDATE was active, so its move cannot miss; if it did, the transaction must
 * not commit a ledger move without its status.
 */
function settled(updated: Job | null, job: Job, ending: Ending): { kind: 'settled'; job: Job } {
  if (!updated) throw new Error(`Job ${job.id} could not go from ${job.status} to ${ending.status}.`);
  return { kind: 'settled', job: updated };
}
