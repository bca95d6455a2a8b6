import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Page } from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { AppConfig } from '../../core/config/app-config.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';

export interface AdminUserView {
  userId: string;
  email: string | null;
  accountId: string;
  plan: string;
  balance: number;
  reserved: number;
  activeJobs: number;
  createdAt: string;
}

@Injectable()
export class AdminService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async users(cursor: string | undefined, limit: number): Promise<Page<AdminUserView>> {
    const after = decodeCursor(cursor, z.string().max(128));
    const rows: {
      user_id: string;
      email: string | null;
      id: string;
      plan_id: string;
      balance: number;
      reserved: number;
      active_jobs: number;
      created_at: Date;
    }[] = await this.db.query(
      `SELECT a.user_id, u.email, a.id, a.plan_id, a.balance, a.reserved, a.active_jobs, a.created_at
         FROM accounts a JOIN users u ON u.id = a.user_id
        WHERE ($1::text IS NULL OR a.user_id > $1::text)
        ORDER BY a.user_id LIMIT $2`,
      [after, limit + 1],
    );
    const items = rows.slice(0, limit).map((row) => ({
      userId: row.user_id,
      email: row.email,
      accountId: row.id,
      plan: row.plan_id,
      balance: row.balance,
      reserved: row.reserved,
      activeJobs: row.active_jobs,
      createdAt: row.created_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].userId) : null };
  }

  async stats() {
    const jobs: { status: string; count: number }[] = await this.db.query(
      `SELECT status, count(*)::int AS count FROM jobs GROUP BY status ORDER BY status`,
    );
    const credits: { kind: string; total: number; entries: number }[] = await this.db.query(
      `SELECT kind, sum(CASE WHEN kind IN ('reserve', 'release') THEN abs(reserved_delta) ELSE abs(amount) END)::bigint AS total,
              count(*)::int AS entries
         FROM credit_ledger GROUP BY kind ORDER BY kind`,
    );
    const [gpu]: { seconds: number | null }[] = await this.db.query(
      `SELECT sum(gpu_seconds)::float8 AS seconds FROM jobs WHERE gpu_seconds IS NOT NULL`,
    );
    const gpuSeconds = gpu.seconds ?? 0;
    return {
      jobsByStatus: Object.fromEntries(jobs.map((row) => [row.status, row.count])),
      creditsByKind: Object.fromEntries(
        credits.map((row) => [row.kind, { total: Number(row.total), entries: row.entries }]),
      ),
      gpuSeconds,
      gpuHourlyCostUsd: this.config.env.GPU_HOURLY_COST_USD,
      gpuCostUsd: Math.round(((gpuSeconds * this.config.env.GPU_HOURLY_COST_USD) / 3600) * 100) / 100,
    };
  }
}
