import { Injectable } from '@nestjs/common';
import type { LedgerEntryKind } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { LEDGER_MOVE_COLUMNS, ledgerMoves } from './ledger-moves.ts';

/**
 * One ledger move: a ledger row and the change it makes to the account's cached totals, which
 * always go together. `amount` changes the balance, `reservedDelta` what is held for running
 * work: a reserve holds, a capture spends what was held, a release lets it go.
 */
export interface LedgerMove {
  accountId: string;
  kind: LedgerEntryKind;
  amount: number;
  reservedDelta?: number;
  jobId?: string | null;
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
  /** Change to the account's active-job count that goes with this move. */
  activeJobsDelta?: number;
}

export interface LedgerEntry {
  id: string;
  kind: LedgerEntryKind;
  amount: number;
  reservedDelta: number;
  jobId: string | null;
  reason: string | null;
  createdAt: Date;
}

const RECORD_STATEMENT = `WITH moves AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[], $6::uuid[], $7::text[],
                       $8::text[], $9::text[])
    AS m(${LEDGER_MOVE_COLUMNS})
), ${ledgerMoves('moves')}
SELECT count(*)::int AS moved FROM moves`;

interface LedgerRow {
  id: string;
  kind: LedgerEntryKind;
  amount: number;
  reserved_delta: number;
  job_id: string | null;
  reason: string | null;
  created_at: Date;
}

/** Owns the SQL of `credit_ledger` and of the account totals that move with it. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  /**
   * Applies `moves` in one statement, on `sql` (the caller's transaction, when the moves belong
   * with other changes) or on the pool. A unique index refuses a second reserve or outcome per
   * job and a second move per (kind, reference): the caller's transaction then fails.
   */
  async record(moves: readonly LedgerMove[], sql: Sql = this.db): Promise<void> {
    if (moves.length === 0) return;
    const column = <T>(pick: (move: LedgerMove) => T) => moves.map(pick);
    await sql.prepared('ledger-moves', RECORD_STATEMENT, [
      column((m) => m.accountId),
      column((m) => m.kind),
      column((m) => m.amount),
      column((m) => m.reservedDelta ?? 0),
      column((m) => m.activeJobsDelta ?? 0),
      column((m) => m.jobId ?? null),
      column((m) => m.reference ?? null),
      column((m) => m.reason ?? null),
      column((m) => m.actor ?? null),
    ]);
  }

  /** Whether a move of `kind` with `reference` (a grant's, a payment's) was recorded. */
  async hasReference(kind: LedgerEntryKind, reference: string, sql: Sql = this.db): Promise<boolean> {
    const rows = await sql.query(`SELECT 1 FROM credit_ledger WHERE kind = $1 AND reference = $2`, [
      kind,
      reference,
    ]);
    return rows.length > 0;
  }

  /** An account's moves, newest first: at most `limit` with ids below `before` (when given). */
  async page(
    accountId: string,
    before: string | null,
    limit: number,
    sql: Sql = this.db,
  ): Promise<LedgerEntry[]> {
    const rows = await sql.query<LedgerRow>(
      `SELECT id, kind, amount, reserved_delta, job_id, reason, created_at FROM credit_ledger
        WHERE account_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY id DESC LIMIT $3`,
      [accountId, before, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      amount: row.amount,
      reservedDelta: row.reserved_delta,
      jobId: row.job_id,
      reason: row.reason,
      createdAt: row.created_at,
    }));
  }
}
