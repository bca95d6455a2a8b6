import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  JOB_NAMES,
  QUEUE_NAMES,
  type VideoJobPayload,
  generateJobOptions,
  isActiveStatus,
} from '@cineweave/contracts';
import { type Job, Queue, type RedisOptions } from 'bullmq';
import { AppConfig } from '../../../core/config/app-config.ts';
import { Database } from '../../../core/database/database.ts';
import { WorkQueues } from '../../../core/queue/work-queues.ts';
import { redisOptions } from '../../../core/redis/redis.ts';
import { JobsRepository } from '../jobs.repository.ts';

/** States in which a job of the old queue waits for a worker (no worker holds it). */
const WAITING_STATES = ['waiting', 'prioritized', 'delayed'] as const;
const PAGE = 500;
/** Advisory lock key of this step (the reconciler's is 727275). */
const LOCK_KEY = 727276;

export interface LegacyMigrationReport {
  /** Jobs moved to their model's queue. */
  moved: string[];
  /** Entries whose job had already ended in Postgres (cancelled, failed): removed, not moved. */
  dropped: string[];
}

/**
 * Upgrade step from the single `video-jobs` queue to one queue per model: every job still
 * waiting there moves to its model's queue. It runs at start-up and before each reconcile pass
 * (a job an old worker hands back lands in the old queue again); with nothing in the old queue it
 * costs one Redis call.
 *
 * Replicas take turns through a Postgres advisory lock (released with the session if one dies),
 * so each entry is moved once. An entry is removed from the old queue before it is added to the
 * new one: BullMQ refuses to remove a job an old worker holds, and that job is left to finish
 * there (its result comes back on the shared results queue); a crash between the two leaves a
 * queued job with no queue entry, which the reconciler re-enqueues (Postgres is the truth).
 */
@Injectable()
export class LegacyQueueMigration implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LegacyQueueMigration.name);
  private legacy: Queue | undefined;

  constructor(
    private readonly db: Database,
    private readonly queues: WorkQueues,
    private readonly config: AppConfig,
    private readonly jobs: JobsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.migrate().catch((error: Error) =>
      this.logger.warn(
        { error: error.message },
        'Could not move jobs from the old single work queue; the reconciler tries again',
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.legacy?.close();
  }

  /** The old queue; also where the reconciler looks for a job an old worker may still hold. */
  legacyQueue(): Queue {
    this.legacy ??= new Queue(QUEUE_NAMES.videoJobs, {
      connection: redisOptions(this.config.env.REDIS_URL) as RedisOptions,
      prefix: this.config.env.QUEUE_PREFIX,
    });
    return this.legacy;
  }

  async migrate(): Promise<LegacyMigrationReport> {
    const report: LegacyMigrationReport = { moved: [], dropped: [] };
    const legacy = this.legacyQueue();
    const counts = await legacy.getJobCounts(...WAITING_STATES);
    if (Object.values(counts).every((count) => count === 0)) return report;
    // The lock lives as long as this transaction, which writes nothing: it only holds the lock.
    await this.db.transaction(async (tx) => {
      // Another replica is moving them right now.
      if (await tx.tryAdvisoryLock(LOCK_KEY)) await this.moveAll(legacy, report);
    });
    if (report.moved.length + report.dropped.length > 0) {
      this.logger.log(
        { moved: report.moved.length, dropped: report.dropped.length },
        'Moved jobs from the old single work queue to per-model queues',
      );
    }
    return report;
  }

  private async moveAll(legacy: Queue, report: LegacyMigrationReport): Promise<void> {
    for (;;) {
      const counts = await legacy.getJobCounts(...WAITING_STATES);
      if (Object.values(counts).every((count) => count === 0)) break;
      const entries = (await legacy.getJobs(
        [...WAITING_STATES],
        0,
        PAGE - 1,
        true,
      )) as Job<VideoJobPayload>[];
      if (entries.length === 0) break;
      let progressed = false;
      for (const entry of entries) {
        if (!entry?.id) continue;
        if ((await this.moveOne(legacy, entry, report)) !== 'skipped') progressed = true;
      }
      // Only entries an old worker took meanwhile are left: nothing more for this pass.
      if (!progressed) break;
    }
  }

  private async moveOne(
    legacy: Queue,
    entry: Job<VideoJobPayload>,
    report: LegacyMigrationReport,
  ): Promise<'moved' | 'dropped' | 'skipped'> {
    const id = entry.id as string;
    const row = await this.jobs.find(id);
    // 0: an old worker holds it (BullMQ will not remove a locked job).
    if ((await legacy.remove(id)) !== 1) return 'skipped';
    if (!row || !isActiveStatus(row.status)) {
      report.dropped.push(id);
      return 'dropped';
    }
    await this.queues.watch(row.model);
    await this.queues
      .forModel(row.model)
      .add(
        JOB_NAMES.generate,
        { ...entry.data, model: row.model },
        generateJobOptions({ id, priority: row.priority }),
      );
    report.moved.push(id);
    return 'moved';
  }
}
