import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES } from '@cineweave/contracts';
import { Queue, type RedisOptions } from 'bullmq';
import { AppConfig } from '../../core/config/app-config.ts';
import { redisOptions } from '../../core/redis/redis.ts';
import { Scheduler } from '../../core/scheduling/scheduler.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { usageCsv } from './usage-report.ts';
import { UsageService } from './usage.service.ts';

/** 03:00 UTC on the 1st: the month before is complete and its late results have settled. */
export const MONTHLY_PATTERN = '0 3 1 * *';

/** `2026-11` → `usage/2026-11/<account>.csv`. */
export const usageExportKey = (month: string, accountId: string) => `usage/${month}/${accountId}.csv`;

/** The calendar month (UTC) before the one `at` falls in, as `YYYY-MM`. */
export function previousMonth(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * Writes each account's usage CSV for the previous month to the bucket, once per cluster (a
 * periodic task of the scheduler); the files are overwritten whole, so a rerun is harmless.
 */
@Injectable()
export class UsageExportService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(UsageExportService.name);

  constructor(
    private readonly usage: UsageService,
    private readonly storage: StorageService,
    private readonly scheduler: Scheduler,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.register({
      name: MAINTENANCE_JOB_NAMES.exportUsage,
      pattern: MONTHLY_PATTERN,
      // A month's files are worth retrying for: the next run is a month away.
      retry: { attempts: 5, backoffMs: 60_000 },
      // The month comes from when the run was due, so a run taken late still exports the right one.
      run: (dueAt) => this.exportMonth(previousMonth(dueAt)),
    });
  }

  /**
   * Releases before the scheduler ran the export on a queue of its own: its schedule would leave
   * one job there a month that nothing takes. (Can go once no install upgrades from them.)
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.BACKGROUND_TASKS) return;
    const legacy = new Queue('usage-exports', {
      connection: redisOptions(this.config.env.REDIS_URL) as RedisOptions,
      prefix: this.config.env.QUEUE_PREFIX,
    });
    try {
      if ((await legacy.getJobSchedulers()).length > 0) await legacy.obliterate({ force: true });
    } catch (error) {
      this.logger.warn({ error: (error as Error).message }, 'Could not remove the old usage-exports queue');
    } finally {
      await legacy.close();
    }
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
