import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { UsageReport, UsageRow } from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';

const DEFAULT_DAYS = 30;

export interface UsageScope {
  /** null: every account (admins). */
  accountId: string | null;
  userId?: string;
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/** Finished jobs summed per UTC day, person and model: what `/v1/usage` and the monthly export report. */
@Injectable()
export class UsageService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
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
    const rows: {
      day: string;
      account_id: string;
      user_id: string;
      model: string;
      jobs: number;
      gpu_seconds: number;
      credits: number;
    }[] = await this.db.query(
      `SELECT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, account_id, user_id, model,
              count(*)::int AS jobs, coalesce(sum(gpu_seconds), 0)::float8 AS gpu_seconds,
              coalesce(sum(credits_charged), 0)::int AS credits
         FROM jobs
        WHERE finished_at >= $1::date AND finished_at < $2::date + 1
          AND ($3::uuid IS NULL OR account_id = $3::uuid)
          AND ($4::text IS NULL OR user_id = $4::text)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 3, 4`,
      [from, to, scope.accountId, scope.userId ?? null],
    );
    const hourly = this.config.env.GPU_HOURLY_COST_USD;
    const items: UsageRow[] = rows.map((row) => ({
      day: row.day,
      userId: row.user_id,
      accountId: row.account_id,
      model: row.model,
      jobs: row.jobs,
      gpuSeconds: round(row.gpu_seconds, 3),
      credits: row.credits,
      costUsd: round((row.gpu_seconds * hourly) / 3600, 4),
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
  async accountsWithUsage(from: string, to: string): Promise<string[]> {
    const rows: { account_id: string }[] = await this.db.query(
      `SELECT DISTINCT account_id FROM jobs WHERE finished_at >= $1::date AND finished_at < $2::date + 1`,
      [from, to],
    );
    return rows.map((row) => row.account_id);
  }
}
