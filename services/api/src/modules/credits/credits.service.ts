import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { LedgerEntryKind, Page } from '@cineweave/contracts';
import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import type { Account } from '../accounts/accounts.service.ts';

export interface LedgerItem {
  id: string;
  kind: LedgerEntryKind;
  amount: number;
  reservedDelta: number;
  jobId: string | null;
  reason: string | null;
  createdAt: string;
}

@Injectable()
export class CreditsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async ledger(account: Account, cursor: string | undefined, limit: number): Promise<Page<LedgerItem>> {
    const after = decodeCursor(cursor, z.string().regex(/^\d{1,18}$/));
    const rows: {
      id: string;
      kind: LedgerEntryKind;
      amount: number;
      reserved_delta: number;
      job_id: string | null;
      reason: string | null;
      created_at: Date;
    }[] = await this.db.query(
      `SELECT id, kind, amount, reserved_delta, job_id, reason, created_at FROM credit_ledger
        WHERE account_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [account.id, after, limit + 1],
    );
    const items = rows.slice(0, limit).map((row) => ({
      id: row.id,
      kind: row.kind,
      amount: row.amount,
      reservedDelta: row.reserved_delta,
      jobId: row.job_id,
      reason: row.reason,
      createdAt: row.created_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1].id) : null };
  }
}
