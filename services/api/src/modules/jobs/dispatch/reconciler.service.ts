import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  API_METRICS,
  JobResultSchema,
  MAINTENANCE_JOB_NAMES,
  type VideoJobPayload,
  QUEUE_NAMES,
  resultJobId,
  workQueueName,
} from '@cineweave/contracts';
import { type Job, type Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../../core/config/app-config.ts';
import { WorkQueues } from '../../../core/queue/work-queues.ts';
import { type Job as JobRecord, toPayload } from '../job-row.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { IdempotencyRepository } from '../admission/idempotency.repository.ts';
import { OutboxRepository } from './outbox.repository.ts';
import { LegacyQueueMigration } from './legacy-queue-migration.service.ts';
import { OutboxRelay } from './outbox-relay.service.ts';
import { SettlementService } from '../settlement/settlement.service.ts';
import { JobsService } from '../jobs.service.ts';
import { Database } from '../../../core/database/database.ts';
import { JobTransitions } from '../state/job-transitions.ts';
import { MetricsService } from '../../../core/metrics/metrics.service.ts';
import { Scheduler } from '../../../core/scheduling/scheduler.ts';

/** A queue entry younger than this may still be on its way; leave it alone. */
const GRACE_SECONDS = 60;
const BATCH = 500;

export interface ReconcileReport {
  requeued: string[];
  timedOut: string[];
  failedInQueue: string[];
  /** Jobs whose worker finished and whose result had not been settled (Postgres was away). */
  settledFromResult: string[];
}

/**
 * Postgres is the truth, Redis only carries work. Every RECONCILE_INTERVAL_SECONDS, on one
 * replica of the cluster (the scheduler's tick): re-enqueue unfinished jobs whose queue entry
 * vanished (Redis flushed, or restarted without persistence) under a new attempt token, and fail jobs whose reservation
 * outlived RESERVATION_TIMEOUT_MINUTES, releasing their credits.
 */
@Injectable()
export class ReconcilerService implements OnModuleInit {
  private readonly logger = new Logger(ReconcilerService.name);

  constructor(
    private readonly queues: WorkQueues,
    @InjectQueue(QUEUE_NAMES.videoResults) private readonly results: Queue,
    private readonly settlement: SettlementService,
    private readonly jobs: JobsService,
    private readonly relay: OutboxRelay,
    private readonly legacy: LegacyQueueMigration,
    private readonly config: AppConfig,
    metrics: MetricsService,
    private readonly database: Database,
    private readonly transitions: JobTransitions,
    private readonly jobRecords: JobsRepository,
    private readonly outbox: OutboxRepository,
    private readonly idempotencyKeys: IdempotencyRepository,
    private readonly scheduler: Scheduler,
  ) {
    // Every replica answers it at scrape time, so the alert never reads a stale value.
    metrics.gauge({
      name: API_METRICS.oldestUnsettledReservation,
      help: 'Age in seconds of the oldest reservation not yet captured or released (0 when none).',
      collect: async (gauge) => gauge.set(await this.jobRecords.oldestActiveAgeSeconds()),
    });
  }

  onModuleInit(): void {
    this.scheduler.register({
      name: MAINTENANCE_JOB_NAMES.reconcileJobs,
      every: this.config.env.RECONCILE_INTERVAL_SECONDS * 1000,
      run: () => this.reconcile(),
    });
  }

  async reconcile(options: { graceSeconds?: number } = {}): Promise<ReconcileReport> {
    const report: ReconcileReport = { requeued: [], timedOut: [], failedInQueue: [], settledFromResult: [] };
    // Jobs an old worker handed back to the single pre-upgrade queue move to their model's.
    await this.legacy.migrate();
    await this.timeOut(report);
    await this.requeueLost(report, options.graceSeconds ?? GRACE_SECONDS);
    await this.pruneHousekeeping();
    if (
      report.requeued.length +
        report.timedOut.length +
        report.failedInQueue.length +
        report.settledFromResult.length >
      0
    ) {
      this.logger.log(report, 'Reconciled jobs');
    }
    return report;
  }

  /** Idempotency keys past their 24 h window serve nobody. */
  private async pruneHousekeeping(): Promise<void> {
    await this.idempotencyKeys.prune();
  }

  private async timeOut(report: ReconcileReport): Promise<void> {
    const minutes = this.config.env.RESERVATION_TIMEOUT_MINUTES;
    const rows = await this.jobRecords.activeAdmittedBefore(minutes * 60, BATCH);
    for (const { id, model } of rows) {
      const outcome = await this.settlement.finish(id, {
        status: 'failed',
        reason: `The job did not finish within ${minutes} minutes; its credits were released.`,
      });
      if (outcome === 'settled') {
        report.timedOut.push(id);
        await this.jobs.sendCancelSignal(id).catch(() => undefined);
        await this.queues
          .forModel(model)
          .remove(id)
          .catch(() => 0);
      }
    }
  }

  /**
   * Active jobs with neither an outbox row nor a queue entry. A job waiting in the fair
   * dispatcher's memory still has its outbox row (it goes only once the job is in BullMQ), so it is
   * never taken for lost here, however long its team's turn takes; a dispatcher that dies leaves
   * the rows to the next one, which rebuilds from them.
   */
  private async requeueLost(report: ReconcileReport, graceSeconds: number): Promise<void> {
    const rows = await this.jobRecords.relayedAndIdleFor(graceSeconds, BATCH);
    for (const row of rows) {
      const entry = await this.findEntry(row);
      if (entry) {
        await this.settleFinishedEntry(row, entry, report);
        continue;
      }
      // Lost with Redis: a new attempt token makes any result of the lost attempt stale.
      const requeued = await this.database.transaction(async (tx) => {
        const updated = await this.transitions.requeueLostAttempt(
          row.id,
          { current: row.attemptToken, next: randomUUID() },
          tx,
        );
        if (!updated) return false;
        await this.outbox.add(workQueueName(row.model), toPayload(updated), tx);
        return true;
      });
      if (requeued) report.requeued.push(row.id);
    }
    if (report.requeued.length > 0) this.relay.nudge();
  }

  /**
   * A work entry BullMQ has finished with decides the job whatever its attempt counters say:
   * `failed` is final in BullMQ (retries wait in `delayed`/`wait`), including a job failed for
   * stalling more than allowed, whose attemptsMade stays below its attempts. A `completed` entry
   * means the worker published a result: settle from it if it never was (Postgres was away).
   */
  private async settleFinishedEntry(
    row: JobRecord,
    entry: NonNullable<Awaited<ReturnType<Queue['getJob']>>>,
    report: ReconcileReport,
  ): Promise<void> {
    const state = await entry.getState();
    const token = (entry.data as VideoJobPayload).attemptToken;
    if (state === 'failed') {
      const outcome = await this.settlement.finish(
        row.id,
        {
          status: 'failed',
          reason: `The worker could not complete the job: ${entry.failedReason ?? 'unknown error'}`,
        },
        token,
      );
      if (outcome === 'settled') report.failedInQueue.push(row.id);
      return;
    }
    if (state !== 'completed') return;
    const result = await this.results.getJob(resultJobId(row.id, row.attemptToken));
    if (!result) return;
    const parsed = JobResultSchema.safeParse(result.data);
    if (!parsed.success) return;
    const outcome = await this.settlement.settleResult(parsed.data);
    if (outcome === 'settled') report.settledFromResult.push(row.id);
  }

  /**
   * The job's entry in its model's queue or, for a job admitted before per-model queues that an
   * old worker still holds, in the old single queue (so it is not rendered a second time).
   */
  private async findEntry(row: JobRecord): Promise<Job | undefined> {
    const queues: Queue[] = [this.queues.forModel(row.model), this.legacy.legacyQueue()];
    for (const queue of queues) {
      const entry = (await queue.getJob(row.id)) as Job | undefined;
      if (entry) return entry;
    }
    return undefined;
  }
}
