import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { JobEventsService } from '../events/job-events.service.ts';
import { returningRows } from '../../core/database/returning.ts';

const BATCH = 200;

/**
 * Deletes outputs older than RETENTION_HOURS and marks their jobs `expired` (the video route
 * then answers 410). Objects go first: if the update fails, the next sweep deletes nothing
 * new and retries the update, so no job claims outputs that are gone.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly storage: StorageService,
    private readonly events: JobEventsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.env.BACKGROUND_TASKS) return;
    this.timer = setInterval(() => {
      this.sweep().catch((error: Error) =>
        this.logger.warn({ error: error.message }, 'Retention sweep failed'),
      );
    }, this.config.env.RETENTION_SWEEP_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now: Date = new Date()): Promise<string[]> {
    const cutoff = new Date(now.getTime() - this.config.env.RETENTION_HOURS * 3_600_000);
    const rows: { id: string; video_key: string | null; thumbnail_key: string | null }[] =
      await this.db.query(
        `SELECT id, video_key, thumbnail_key FROM jobs WHERE status = 'succeeded' AND finished_at < $1
        ORDER BY finished_at LIMIT ${BATCH}`,
        [cutoff],
      );
    if (rows.length === 0) return [];
    await this.storage.remove(
      rows.flatMap((row) => [row.video_key, row.thumbnail_key].filter((key): key is string => !!key)),
    );
    const expired = returningRows<{ id: string }>(
      await this.db.query(
        `UPDATE jobs SET status = 'expired', expired_at = now(), updated_at = now()
        WHERE id = ANY($1::uuid[]) AND status = 'succeeded' RETURNING id`,
        [rows.map((row) => row.id)],
      ),
    );
    for (const { id } of expired) {
      this.metrics.jobsFinished.inc({ status: 'expired' });
      void this.events.publish({
        type: 'status',
        data: { jobId: id, status: 'expired', queuePosition: null },
      });
    }
    this.logger.log({ count: expired.length }, 'Expired job outputs');
    return expired.map((row) => row.id);
  }
}
