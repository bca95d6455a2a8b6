import { Injectable, Logger } from '@nestjs/common';
import { type JobResult, isFinishedStatus, jobEndEvent } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { Database, type Sql } from '../../core/database/database.ts';
import { LedgerRepository } from '../credits/ledger.repository.ts';
import { JobEventsService } from '../events/job-events.service.ts';
import { ModerationService } from '../moderation/moderation.service.ts';
import { type JobRow, toJobView } from './job-row.ts';
import { returningRows } from '../../core/database/returning.ts';

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
  ): Promise<{ kind: 'settled'; job: JobRow } | { kind: Exclude<SettleOutcome, 'settled'> }> {
    const rows: JobRow[] = await tx.query(`SELECT * FROM jobs WHERE id = $1 FOR UPDATE`, [jobId]);
    const job = rows[0];
    if (!job) return { kind: 'unknown-job' };
    if (isFinishedStatus(job.status)) return { kind: 'duplicate' };
    if (attemptToken !== undefined && attemptToken !== job.attempt_token) return { kind: 'stale' };

    const credits = job.credits_reserved;
    if (ending.status === 'succeeded') {
      const { result } = ending;
      await this.ledger.record(
        [
          {
            accountId: job.account_id,
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
      const updated = returningRows<JobRow>(
        await tx.query(
          `UPDATE jobs SET status = 'succeeded', credits_charged = $2, video_key = $3, thumbnail_key = $4,
                output_duration_seconds = $5, frames = $6, model_hash = $7, gpu_seconds = $8, worker_id = $9,
                content_credentials = $10,
                progress_percent = 100, started_at = coalesce(started_at, now()), finished_at = now(), updated_at = now()
          WHERE id = $1 RETURNING *`,
          [
            jobId,
            credits,
            result.videoKey,
            result.thumbnailKey,
            result.durationSeconds,
            result.frames,
            result.modelHash,
            result.gpuSeconds,
            result.workerId ?? null,
            result.contentCredentials ? JSON.stringify(result.contentCredentials) : null,
          ],
        ),
      );
      return { kind: 'settled', job: updated[0] };
    }
    await this.ledger.record(
      [
        {
          accountId: job.account_id,
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
        { id: job.id, userId: job.user_id, accountId: job.account_id },
        ending.contentPolicy,
        ending.reason,
      );
    }
    const updated = returningRows<JobRow>(
      await tx.query(
        `UPDATE jobs SET status = $2, credits_charged = 0, failure_reason = $3, gpu_seconds = $4, worker_id = $5,
              finished_at = now(), updated_at = now()
        WHERE id = $1 RETURNING *`,
        [jobId, ending.status, ending.reason, ending.gpuSeconds ?? null, ending.workerId ?? null],
      ),
    );
    return { kind: 'settled', job: updated[0] };
  }

  private afterCommit(job: JobRow, ending: Ending): void {
    this.metrics.jobsFinished.inc({ status: job.status });
    if (job.gpu_seconds) {
      this.metrics.gpuSeconds.inc({ model: job.model }, job.gpu_seconds);
      this.metrics.gpuCost.inc(
        { model: job.model },
        (job.gpu_seconds * this.config.env.GPU_HOURLY_COST_USD) / 3600,
      );
    }
    if (ending.status === 'succeeded') this.metrics.creditsCaptured.inc(job.credits_reserved);
    else this.metrics.creditsReleased.inc(job.credits_reserved);
    void this.events.publish(jobEndEvent(toJobView(job, this.config.env.RETENTION_HOURS)));
    this.logger.log({ jobId: job.id, status: job.status, credits: job.credits_reserved }, 'Settled job');
  }
}
