import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';

/** Finished jobs of one UTC day, person and model, summed. */
export interface UsageTotals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  accountId: string;
  userId: string;
  model: string;
  jobs: number;
  gpuSeconds: number;
  credits: number;
}

/** Usage is read from the jobs table's finished jobs; nothing of its own is stored. */
@Injectable()
export class UsageRepository {
  constructor(private readonly db: Database) {}

  /** `from`/`to` are inclusive UTC days; a null account or user means every one. */
  async totals(
    range: { from: string; to: string },
    scope: { accountId: string | null; userId: string | null },
    sql: Sql = this.db,
  ): Promise<UsageTotals[]> {
    const rows = await sql.query<{
      day: string;
      account_id: string;
      user_id: string;
      model: string;
      jobs: number;
      gpu_seconds: number;
      credits: number;
    }>(
      `SELECT to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, account_id, user_id, model,
              count(*)::int AS jobs, coalesce(sum(gpu_seconds), 0)::float8 AS gpu_seconds,
              coalesce(sum(credits_charged), 0)::int AS credits
         FROM jobs
        WHERE finished_at >= $1::date AND finished_at < $2::date + 1
          AND ($3::uuid IS NULL OR account_id = $3::uuid)
          AND ($4::text IS NULL OR user_id = $4::text)
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 3, 4`,
      [range.from, range.to, scope.accountId, scope.userId],
    );
    return rows.map((row) => ({
      day: row.day,
      accountId: row.account_id,
      userId: row.user_id,
      model: row.model,
      jobs: row.jobs,
      gpuSeconds: row.gpu_seconds,
      credits: row.credits,
    }));
  }

  /** Accounts with any job finished in `[from, to]` (inclusive UTC days). */
  async accountsWithUsage(from: string, to: string, sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ account_id: string }>(
      `SELECT DISTINCT account_id FROM jobs WHERE finished_at >= $1::date AND finished_at < $2::date + 1`,
      [from, to],
    );
    return rows.map((row) => row.account_id);
  }
}
