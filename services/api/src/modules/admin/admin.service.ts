import { Injectable } from '@nestjs/common';
import type { Page } from '@cineweave/contracts';
import { z } from 'zod';
import { AppConfig } from '../../core/config/app-config.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { AdminRepository } from './admin.repository.ts';

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
    private readonly admin: AdminRepository,
    private readonly config: AppConfig,
  ) {}

  async users(cursor: string | undefined, limit: number): Promise<Page<AdminUserView>> {
    const after = decodeCursor(cursor, z.string().max(128));
    const users = await this.admin.users(after, limit + 1);
    const items = users.slice(0, limit).map((user) => ({
      userId: user.userId,
      email: user.email,
      accountId: user.accountId,
      plan: user.planId,
      balance: user.balance,
      reserved: user.reserved,
      activeJobs: user.activeJobs,
      createdAt: user.createdAt.toISOString(),
    }));
    return { items, nextCursor: users.length > limit ? encodeCursor(items[items.length - 1].userId) : null };
  }

  async stats() {
    const [jobs, credits, gpuSeconds] = await Promise.all([
      this.admin.jobCountsByStatus(),
      this.admin.ledgerTotalsByKind(),
      this.admin.gpuSecondsTotal(),
    ]);
    return {
      jobsByStatus: Object.fromEntries(jobs.map((row) => [row.status, row.count])),
      creditsByKind: Object.fromEntries(
        credits.map((row) => [row.kind, { total: row.total, entries: row.entries }]),
      ),
      gpuSeconds,
      gpuHourlyCostUsd: this.config.env.GPU_HOURLY_COST_USD,
      gpuCostUsd: Math.round(((gpuSeconds * this.config.env.GPU_HOURLY_COST_USD) / 3600) * 100) / 100,
    };
  }
}
