import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type JobProgress,
  type JobStatus,
  type JobView,
  type Page,
  cancelSignalKey,
  jobProgressEvent,
  jobStatusEvent,
} from '@cineweave/contracts';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { WorkQueues } from '../../core/queue/work-queues.ts';
import { REDIS } from '../../core/redis/redis.module.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { JobEventsService } from '../events/job-events.service.ts';
import { type Job, toJobView } from './job-row.ts';
import { JobsRepository } from './jobs.repository.ts';
import { SettlementService } from './settlement/settlement.service.ts';
import { JobTransitions } from './state/job-transitions.ts';
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
    private readonly repository: JobsRepository,
    private readonly queues: WorkQueues,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly settlement: SettlementService,
    private readonly transitions: JobTransitions,
    private readonly events: JobEventsService,
    private readonly storage: StorageService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  /**
   * A cancel by someone other than the job's owner (the operator, an admin): the cancel, then its
   * audit row. Owners cancelling their own jobs are not audited.
   */
  async cancelAsOther(jobId: string, actor: AuditActor): Promise<Job> {
    const before = await this.get(jobId, {});
    const after = await this.cancel(jobId, {});
    if (actor.id !== before.userId) {
      await this.audit.record({
        action: 'job.cancelled-by-other',
        target: { type: 'job', id: jobId },
        before: { status: before.status, owner: before.userId },
        after: { status: after.status, cancelRequested: true },
        actor,
      });
    }
    return after;
  }

  view(job: Job): JobView {
    return toJobView(job, this.config.env.RETENTION_HOURS);
  }

  /** Another account's job is "not found", never "forbidden": its existence is not confirmed. */
  async get(jobId: string, scope: JobScope): Promise<Job> {
    const job = await this.repository.find(jobId, scope);
    if (!job) throw new DomainError('NOT_FOUND', `Job ${jobId} was not found.`);
    return job;
  }

  async list(
    scope: JobScope,
    filter: { status?: JobStatus; cursor?: string; limit: number },
    options: { withOwner?: boolean } = {},
  ): Promise<Page<JobView & { userId?: string }>> {
    const after = decodeCursor(filter.cursor, CursorSchema);
    const rows = await this.repository.page(scope, {
      ...(filter.status ? { status: filter.status } : {}),
      ...(after ? { after: [after[0], after[1]] as const } : {}),
      limit: filter.limit + 1,
    });
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((row) =>
        options.withOwner ? { ...this.view(row), userId: row.userId } : this.view(row),
      ),
      nextCursor: rows.length > filter.limit ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /**
   * A queued job is cancelled at once and its reservation released; a running one gets the
   * cancel signal and settles when the worker reports `cancelled` (or finishes first).
   */
  async cancel(jobId: string, scope: JobScope): Promise<Job> {
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
    await this.repository.markCancelRequested(jobId);
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
    const key = which === 'video' ? job.videoKey : job.thumbnailKey;
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
    if (await this.transitions.start(jobId)) {
      await this.events.publish(jobStatusEvent(jobId, 'running'));
    }
  }

  /** The worker handed the job back (or BullMQ retries it): `running -> queued`. */
  async markRequeued(jobId: string): Promise<void> {
    if (await this.transitions.handBack(jobId)) {
      await this.events.publish(jobStatusEvent(jobId, 'queued'));
    }
  }

  /** Progress from the worker: shown live, and stored coarsely for late readers. */
  async recordProgress(jobId: string, progress: JobProgress): Promise<void> {
    await this.events.publish(jobProgressEvent(jobId, progress));
  }

  async persistProgress(jobId: string, progress: JobProgress): Promise<void> {
    await this.transitions.recordProgress(jobId, {
      percent: progress.percent,
      stage: progress.stage ?? null,
    });
  }

  /** The BullMQ progress of a running job, for a subscriber who joins mid-way. */
  async currentProgress(job: Pick<Job, 'id' | 'model'>): Promise<JobProgress | null> {
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
