import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';
import { teamNameSql } from '../../core/database/team-name-sql.ts';

/** Finished jobs of one UTC day, team, person and model, summed. */
export interface UsageTotals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** The team charged: jobs are charged to an account, which is a team's credit pool. */
  accountId: string;
  teamName: string;
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

  /** `from`/`to` are inclusive UTC days; a null account (team) or user means every one. */
  async totals(
    range: { from: string; to: string },
    scope: { accountId: string | null; userId: string | null },
    sql: Sql = this.db,
  ): Promise<UsageTotals[]> {
    const rows = await sql.query<{
      day: string;
      account_id: string;
      team_name: string;
      user_id: string;
      model: string;
      jobs: number;
      gpu_seconds: number;
      credits: number;
    }>(
      `SELECT to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, j.account_id,
              ${teamNameSql('a', 'u')} AS team_name, j.user_id, j.model,
              count(*)::int AS jobs, coalesce(sum(j.gpu_seconds), 0)::float8 AS gpu_seconds,
              coalesce(sum(j.credits_charged), 0)::int AS credits
         FROM jobs j
         JOIN accounts a ON a.id = j.account_id
         LEFT JOIN users u ON u.id = a.user_id
        WHERE j.finished_at >= $1::date AND j.finished_at < $2::date + 1
          AND ($3::uuid IS NULL OR j.account_id = $3::uuid)
          AND ($4::text IS NULL OR j.user_id = $4::text)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 3, 2, 4, 5`,
      [range.from, range.to, scope.accountId, scope.userId],
    );
    return rows.map((row) => ({
      day: row.day,
      accountId: row.account_id,
      teamName: row.team_name,
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
