import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';

/** One row of the admin's user list. */
export interface AdminUser {
  userId: string;
  email: string | null;
  accountId: string;
  planId: string;
  balance: number;
  reserved: number;
  activeJobs: number;
  createdAt: Date;
}

/**
 * The admin console's read-only reports. They read tables other modules own (accounts, jobs, the
 * ledger) and write none, so they stay together here rather than in each owner's repository.
 */
@Injectable()
export class AdminRepository {
  constructor(private readonly db: Database) {}

  /** Users in user-id order after `after` (exclusive), at most `limit`. */
  async users(after: string | null, limit: number, sql: Sql = this.db): Promise<AdminUser[]> {
    const rows = await sql.query<{
      user_id: string;
      email: string | null;
      id: string;
      plan_id: string;
      balance: number;
      reserved: number;
      active_jobs: number;
      created_at: Date;
    }>(
      `SELECT a.user_id, u.email, a.id, a.plan_id, a.balance, a.reserved, a.active_jobs, a.created_at
         FROM accounts a JOIN users u ON u.id = a.user_id
        WHERE ($1::text IS NULL OR a.user_id > $1::text)
        ORDER BY a.user_id LIMIT $2`,
      [after, limit],
    );
    return rows.map((row) => ({
      userId: row.user_id,
      email: row.email,
      accountId: row.id,
      planId: row.plan_id,
      balance: row.balance,
      reserved: row.reserved,
      activeJobs: row.active_jobs,
      createdAt: row.created_at,
    }));
  }

  /** How many jobs are in each status (statuses without jobs are absent). */
  async jobCountsByStatus(sql: Sql = this.db): Promise<{ status: string; count: number }[]> {
    return sql.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM jobs GROUP BY status ORDER BY status`,
    );
  }

  /**
   * Credits moved per ledger kind: reservations and releases by the reserved amount they moved,
   * everything else by its amount.
   */
  async ledgerTotalsByKind(sql: Sql = this.db): Promise<{ kind: string; total: number; entries: number }[]> {
    const rows = await sql.query<{ kind: string; total: string; entries: number }>(
      `SELECT kind, sum(CASE WHEN kind IN ('reserve', 'release') THEN abs(reserved_delta) ELSE abs(amount) END)::bigint AS total,
              count(*)::int AS entries
         FROM credit_ledger GROUP BY kind ORDER BY kind`,
    );
    return rows.map((row) => ({ kind: row.kind, total: Number(row.total), entries: row.entries }));
  }

  /** GPU seconds reported for every settled job so far. */
  async gpuSecondsTotal(sql: Sql = this.db): Promise<number> {
    const [row] = await sql.query<{ seconds: number | null }>(
      `SELECT sum(gpu_seconds)::float8 AS seconds FROM jobs WHERE gpu_seconds IS NOT NULL`,
    );
    return row?.seconds ?? 0;
  }
}
