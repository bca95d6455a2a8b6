import { Injectable } from '@nestjs/common';
import type { UsageReport, UsageRow } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { UsageRepository } from './usage.repository.ts';

const DEFAULT_DAYS = 30;

export interface UsageScope {
  /** The team's account; null: every team (admins). */
  accountId: string | null;
  userId?: string;
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * Finished jobs summed per UTC day, team, person and model: what `/v1/usage` and the monthly
 * export report.
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly repository: UsageRepository,
    private readonly config: AppConfig,
  ) {}

  /** `from`/`to` are inclusive UTC days; without them, the last 30 days up to today. */
  async report(
    scope: UsageScope,
    range: { from?: string; to?: string },
    now = new Date(),
  ): Promise<UsageReport> {
    const to = range.to ?? dayOf(now);
    const from =
      range.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 86_400_000));
    const rows = await this.repository.totals(
      { from, to },
      { accountId: scope.accountId, userId: scope.userId ?? null },
    );
    const hourly = this.config.env.GPU_HOURLY_COST_USD;
    const items: UsageRow[] = rows.map((row) => ({
      day: row.day,
      userId: row.userId,
      accountId: row.accountId,
      teamName: row.teamName,
      model: row.model,
      jobs: row.jobs,
      gpuSeconds: round(row.gpuSeconds, 3),
      credits: row.credits,
      costUsd: round((row.gpuSeconds * hourly) / 3600, 4),
    }));
    const sum = (pick: (row: UsageRow) => number) => items.reduce((total, row) => total + pick(row), 0);
    return {
      from,
      to,
      currency: 'USD',
      gpuHourlyCostUsd: hourly,
      items,
      totals: {
        jobs: sum((row) => row.jobs),
        gpuSeconds: round(
          sum((row) => row.gpuSeconds),
          3,
        ),
        credits: sum((row) => row.credits),
        costUsd: round(
          sum((row) => row.costUsd),
          4,
        ),
      },
    };
  }

  /** Accounts with any job finished in `[from, to]`, for the monthly export. */
  accountsWithUsage(from: string, to: string): Promise<string[]> {
    return this.repository.accountsWithUsage(from, to);
  }
}
