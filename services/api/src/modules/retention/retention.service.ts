import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { Scheduler } from '../../core/scheduling/scheduler.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { JobEventsService } from '../events/job-events.service.ts';
import { Database } from '../../core/database/database.ts';
import { type JobOutputKeys, JobsRepository } from '../jobs/jobs.repository.ts';
import { JobTransitions } from '../jobs/state/job-transitions.ts';
import { UploadsRepository } from '../uploads/uploads.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import { currentRequest } from '../audit/request-context.ts';

const BATCH = 200;
/**
 * Deletes outputs older than RETENTION_HOURS and, separately, uploaded input images older than
 * RETENTION_HOURS that no queued or running job needs.
 *
 * Outputs: deletes outputs older than RETENTION_HOURS and marks their jobs `expired` (the video route
 * then answers 410). Objects go first: if the update fails, the next sweep deletes nothing
 * new and retries the update, so no job claims outputs that are gone.
 */
@Injectable()
export class RetentionService implements OnModuleInit {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    private readonly storage: StorageService,
    private readonly events: JobEventsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly db: Database,
    private readonly transitions: JobTransitions,
    private readonly jobs: JobsRepository,
    private readonly uploads: UploadsRepository,
    private readonly scheduler: Scheduler,
  ) {}

  /** Outputs and uploads as two tasks, so one failing does not stop the other. */
  onModuleInit(): void {
    const every = this.config.env.RETENTION_SWEEP_SECONDS * 1000;
    this.scheduler.register({ name: MAINTENANCE_JOB_NAMES.expireOutputs, every, run: () => this.sweep() });
    this.scheduler.register({
      name: MAINTENANCE_JOB_NAMES.expireUploads,
      every,
      run: () => this.sweepUploads(),
    });
  }

  async sweep(now: Date = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.config.env.RETENTION_HOURS * 3_600_000);
    const rows = await this.jobs.outputsFinishedBefore(cutoff, BATCH);
    return this.expire(rows);
  }

  /**
   * Deletes one succeeded job's outputs now, as retention would later (`DELETE /v1/videos/{id}`).
   * Returns false when the job has no outputs to delete (not succeeded, or already expired).
   */
  async expireNow(jobId: string): Promise<boolean> {
    const rows = await this.jobs.outputsOf(jobId);
    return (await this.expire(rows)).length > 0;
  }

  /** Objects first, then the rows: if S3 fails nothing is marked, and the next attempt retries. */
  private async expire(rows: JobOutputKeys[]): Promise<string[]> {
    if (rows.length === 0) return [];
    await this.storage.remove(
      rows.flatMap((row) => [row.videoKey, row.thumbnailKey].filter((key): key is string => !!key)),
    );
    const expired = await this.db.transaction(async (tx) => {
      const marked = await this.transitions.expire(
        rows.map((row) => row.id),
        tx,
      );
      for (const { id } of marked) {
        const row = rows.find((candidate) => candidate.id === id);
        await this.audit.record(
          {
            action: 'retention.deleted',
            target: { type: 'job-outputs', id },
            before: { status: 'succeeded', objects: [row?.videoKey, row?.thumbnailKey].filter(Boolean) },
            after: { status: 'expired' },
            // A sweep is the system; DELETE /v1/videos/{id} is its caller (from the request).
            ...(currentRequest() ? {} : { actor: { type: 'system' as const, id: 'system:retention' } }),
          },
          tx,
        );
      }
      return marked;
    });
    for (const { id } of expired) {
      this.metrics.jobsFinished.inc({ status: 'expired' });
      void this.events.publish({
        type: 'status',
        data: { jobId: id, status: 'expired', queuePosition: null },
      });
    }
    if (expired.length > 0) this.logger.log({ count: expired.length }, 'Expired job outputs');
    return expired.map((row) => row.id);
  }

  /**
   * Deletes uploads older than RETENTION_HOURS whose jobs have all finished (or that no job
   * uses): the objects go from S3 and the rows are marked `deleted_at`, kept so that jobs still
   * name their input (and its sha256). A job that names a deleted upload is refused with 410.
   *
   * One transaction, so an upload in use is never deleted: the candidates are locked first (rows
   * an admission is inserting a job for hold a share lock and are skipped), then a later
   * statement, whose snapshot sees every job committed before the locks were taken, keeps only
   * those no queued or running job refers to, by upload id or by object key (an operator's
   * `s3Key`). Objects are deleted before the commit: if S3 fails, nothing is marked and the next
   * sweep tries again; if the commit fails, the next sweep marks them.
   */
  async sweepUploads(now: Date = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.config.env.RETENTION_HOURS * 3_600_000);
    const deleted = await this.db.transaction(async (tx) => {
      const candidates = await this.uploads.lockPastRetention(cutoff, BATCH, tx);
      if (candidates.length === 0) return [];
      const marked = await this.uploads.markDeletedUnlessInUse(candidates, tx);
      for (const row of marked) {
        await this.audit.record(
          {
            action: 'retention.deleted',
            target: { type: 'upload', id: row.id },
            before: { objects: [row.objectKey] },
            after: { deleted: true },
            actor: { type: 'system', id: 'system:retention' },
          },
          tx,
        );
      }
      await this.storage.remove(marked.map((row) => row.objectKey));
      return marked.map((row) => row.id);
    });
    if (deleted.length > 0) this.logger.log({ count: deleted.length }, 'Deleted uploads past retention');
    return deleted;
  }
}
