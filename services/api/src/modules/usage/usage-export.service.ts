import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, type RedisOptions, Worker } from 'bullmq';
import { AppConfig } from '../../core/config/app-config.ts';
import { redisOptions } from '../../core/redis/redis.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { usageCsv } from './usage-report.ts';
import { UsageService } from './usage.service.ts';

/** The queue the monthly export runs through; API replicas compete for its jobs. */
export const USAGE_EXPORT_QUEUE = 'usage-exports';
const SCHEDULER_ID = 'monthly-usage-export';
/** 03:00 UTC on the 1st: the month before is complete and its late results have settled. */
export const MONTHLY_PATTERN = '0 3 1 * *';

/** `2026-11` → `usage/2026-11/<account>.csv`. */
export const usageExportKey = (month: string, accountId: string) => `usage/${month}/${accountId}.csv`;

/** The calendar month (UTC) before the one `at` falls in, as `YYYY-MM`. */
export function previousMonth(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * Writes each account's usage CSV for the previous month to the bucket. A BullMQ job scheduler
 * fires it once per cluster (the scheduler is one Redis key, upserted by every replica; one
 * replica's worker takes each run); the files are overwritten whole, so a rerun is harmless.
 */
@Injectable()
export class UsageExportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UsageExportService.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly usage: UsageService,
    private readonly storage: StorageService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.BACKGROUND_TASKS) return;
    await this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }

  /** Registers the monthly run and this replica's share of the work. */
  async schedule(): Promise<void> {
    const connection = redisOptions(this.config.env.REDIS_URL) as RedisOptions;
    const prefix = this.config.env.QUEUE_PREFIX;
    this.queue = new Queue(USAGE_EXPORT_QUEUE, { connection, prefix });
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { pattern: MONTHLY_PATTERN, tz: 'UTC' },
      { name: 'export-month', opts: { attempts: 5, backoff: { type: 'exponential', delay: 60_000 } } },
    );
    this.worker = new Worker(
      USAGE_EXPORT_QUEUE,
      // The month comes from when the run was due, so a run taken late still exports the right one.
      async (job) => this.exportMonth(previousMonth(new Date(job.timestamp))),
      { connection, prefix, concurrency: 1 },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ error: error.message, attempts: job?.attemptsMade }, 'Usage export failed'),
    );
  }

  /** `month` as `YYYY-MM`; returns the keys written. */
  async exportMonth(month: string): Promise<string[]> {
    const from = `${month}-01`;
    const start = new Date(`${from}T00:00:00Z`);
    const to = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 0))
      .toISOString()
      .slice(0, 10);
    const keys: string[] = [];
    for (const accountId of await this.usage.accountsWithUsage(from, to)) {
      const report = await this.usage.report({ accountId }, { from, to });
      const key = usageExportKey(month, accountId);
      await this.storage.put(key, Buffer.from(usageCsv(report), 'utf8'), 'text/csv; charset=utf-8');
      keys.push(key);
    }
    this.logger.log({ month, files: keys.length }, 'Exported monthly usage');
    return keys;
  }
}
