import { Injectable } from '@nestjs/common';
import type { LedgerItem, Page } from '@cineweave/contracts';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import type { Account } from '../accounts/accounts.repository.ts';
import { LedgerRepository } from '../ledger/ledger.repository.ts';

@Injectable()
export class CreditsService {
  constructor(private readonly ledger: LedgerRepository) {}

  /** The account's ledger, newest first; the cursor is the last id of the previous page. */
  async page(account: Account, cursor: string | undefined, limit: number): Promise<Page<LedgerItem>> {
    const before = decodeCursor(cursor, z.string().regex(/^\d{1,18}$/));
    const entries = await this.ledger.page(account.id, before ?? null, limit + 1);
    const items = entries
      .slice(0, limit)
      .map((entry) => ({ ...entry, createdAt: entry.createdAt.toISOString() }));
    return { items, nextCursor: entries.length > limit ? encodeCursor(items[items.length - 1].id) : null };
  }
}
