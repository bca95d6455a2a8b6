import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type JobProgress,
  type JobStatus,
  type JobView,
  type Page,
  cancelSignalKey,
  jobProgressEvent,
} from '@cineweave/contracts';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { WorkQueues } from '../../core/queue/work-queues.ts';
import { REDIS } from '../../core/redis/redis.module.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { JobEventsService } from '../events/job-events.service.ts';
import { type JobRow, toJobView } from './job-row.ts';
import { SettlementService } from './settlement.service.ts';
import { returningRows } from '../../core/database/returning.ts';
import { type AuditActor, AuditService } from '../audit/audit.service.ts';

/** A running job's cancel flag outlives any plausible step; the worker polls it between steps. */
const CANCEL_SIGNAL_TTL_SECONDS = 6 * 3600;

const CursorSchema = TimestampCursorSchema;

export interface JobScope {
  /** Restrict to one account (every user route); omit for admins and the operator. */
  accountId?: string;
}

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly queues: WorkQueues,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly settlement: SettlementService,
    private readonly events: JobEventsService,
    private readonly storage: StorageService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * A cancel by someone other than the job's owner (the operator, an admin): the cancel, then its
   * audit row. Owners cancelling their own jobs are not audited.
   */
  async cancelAsOther(jobId: string, actor: AuditActor): Promise<JobRow> {
    const before = await this.get(jobId, {});
    const after = await this.cancel(jobId, {});
    if (actor.id !== before.user_id) {
      await this.audit.record({
        action: 'job.cancelled-by-other',
        target: { type: 'job', id: jobId },
        before: { status: before.status, owner: before.user_id },
        after: { status: after.status, cancelRequested: true },
        actor,
      });
    }
    return after;
  }

  view(row: JobRow): JobView {
    return toJobView(row, this.config.env.RETENTION_HOURS);
  }

  /** Another account's job is "not found", never "forbidden": its existence is not confirmed. */
  async get(jobId: string, scope: JobScope): Promise<JobRow> {
    const rows: JobRow[] = await this.db.query(
      `SELECT * FROM jobs WHERE id = $1 AND ($2::uuid IS NULL OR account_id = $2::uuid)`,
      [jobId, scope.accountId ?? null],
    );
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `Job ${jobId} was not found.`);
    return rows[0];
  }

  async list(
    scope: JobScope,
    filter: { status?: JobStatus; cursor?: string; limit: number },
    options: { withOwner?: boolean } = {},
  ): Promise<Page<JobView & { userId?: string }>> {
    const after = decodeCursor(filter.cursor, CursorSchema);
    const rows: JobRow[] = await this.db.query(
      `SELECT * FROM jobs
        WHERE ($1::uuid IS NULL OR account_id = $1::uuid)
          AND ($2::text IS NULL OR status = $2::text)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $5`,
      [
        scope.accountId ?? null,
        filter.status ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        filter.limit + 1,
      ],
    );
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) =>
        options.withOwner ? { ...this.view(row), userId: row.user_id } : this.view(row),
      ),
      nextCursor: rows.length > filter.limit ? encodeCursor([last.created_at.toISOString(), last.id]) : null,
    };
  }

  /**
   * A queued job is cancelled at once and its reservation released; a running one gets the
   * cancel signal and settles when the worker reports `cancelled` (or finishes first).
   */
  async cancel(jobId: string, scope: JobScope): Promise<JobRow> {
    const job = await this.get(jobId, scope);
    if (job.status === 'queued') {
      const outcome = await this.settlement.finish(jobId, {
        status: 'cancelled',
        reason: 'Cancelled before it started.',
      });
      if (outcome === 'settled') {
        // Best effort: a worker may have taken it this instant; the signal below stops it then.
        await this.queues
          .forModel(job.model)
          .remove(jobId)
          .catch(() => 0);
      }
    } else if (job.status !== 'running') {
      throw new DomainError(
        'INVALID_STATE',
        `Job ${jobId} is ${job.status}; only queued or running jobs can be cancelled.`,
      );
    }
    await this.db.query(
      `UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now() WHERE id = $1`,
      [jobId],
    );
    await this.sendCancelSignal(jobId);
    return this.get(jobId, scope);
  }

  async sendCancelSignal(jobId: string): Promise<void> {
    const key = cancelSignalKey(jobId);
    await this.redis.set(key, '1', 'EX', CANCEL_SIGNAL_TTL_SECONDS);
    await this.redis.publish(key, '1');
    this.logger.log({ jobId }, 'Sent cancel signal');
  }

  /** A presigned link to an output, or 410 once retention has deleted it. */
  async outputUrl(
    jobId: string,
    scope: JobScope,
    which: 'video' | 'thumbnail',
    options: { download?: boolean } = {},
  ): Promise<string> {
    const job = await this.get(jobId, scope);
    if (job.status === 'expired') {
      throw new DomainError(
        'GONE',
        `The outputs of job ${jobId} were deleted after ${this.config.env.RETENTION_HOURS} hours.`,
      );
    }
    const key = which === 'video' ? job.video_key : job.thumbnail_key;
    if (job.status !== 'succeeded' || !key) {
      throw new DomainError(
        'INVALID_STATE',
        `Job ${jobId} is ${job.status}; its ${which} exists once it has succeeded.`,
      );
    }
    if (!options.download) return this.storage.presignGet(key);
    // The store is another origin than the portal, where `<a download>` is ignored: the link itself
    // must tell the browser to save the file.
    return this.storage.presignGet(key, { attachmentName: `cineweave-${job.id.slice(0, 8)}.mp4` });
  }

  /** A worker took the job (BullMQ `active`). */
  async markRunning(jobId: string): Promise<void> {
    const rows = returningRows<{ id: string }>(
      await this.db.query(
        `UPDATE jobs SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now()
        WHERE id = $1 AND status = 'queued' RETURNING id`,
        [jobId],
      ),
    );
    if (rows.length > 0) {
      await this.events.publish({ type: 'status', data: { jobId, status: 'running', queuePosition: null } });
    }
  }

  /** The worker handed the job back (or BullMQ retries it): `running -> queued`. */
  async markRequeued(jobId: string): Promise<void> {
    const rows = returningRows<{ id: string }>(
      await this.db.query(
        `UPDATE jobs SET status = 'queued', progress_percent = 0, progress_stage = NULL, updated_at = now()
          WHERE id = $1 AND status = 'running' RETURNING id`,
        [jobId],
      ),
    );
    if (rows.length > 0) {
      await this.events.publish({ type: 'status', data: { jobId, status: 'queued', queuePosition: null } });
    }
  }

  /** Progress from the worker: shown live, and stored coarsely for late readers. */
  async recordProgress(jobId: string, progress: JobProgress): Promise<void> {
    await this.events.publish(jobProgressEvent(jobId, progress));
  }

  async persistProgress(jobId: string, progress: JobProgress): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET progress_percent = $2, progress_stage = $3,
              status = CASE WHEN status = 'queued' THEN 'running' ELSE status END,
              started_at = coalesce(started_at, now())
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [jobId, progress.percent, progress.stage ?? null],
    );
  }

  /** Jobs queued ahead of this one (same model), for the portal's "n in line". */
  async queuePosition(job: JobRow): Promise<number | null> {
    if (job.status !== 'queued') return null;
    const rows: { ahead: number }[] = await this.db.query(
      `SELECT count(*)::int AS ahead FROM jobs
        WHERE status = 'queued' AND model = $1 AND (priority > $2 OR (priority = $2 AND created_at < $3))`,
      [job.model, job.priority, job.created_at],
    );
    return rows[0].ahead;
  }

  /** The BullMQ progress of a running job, for a subscriber who joins mid-way. */
  async currentProgress(job: Pick<JobRow, 'id' | 'model'>): Promise<JobProgress | null> {
    // A subscriber of a job whose model this replica did not follow yet gets its next events too.
    await this.queues.watch(job.model).catch(() => undefined);
    const entry = await this.queues
      .forModel(job.model)
      .getJob(job.id)
      .catch(() => undefined);
    const progress = entry?.progress;
    if (progress && typeof progress === 'object' && 'step' in progress) return progress as JobProgress;
    return null;
  }
}
