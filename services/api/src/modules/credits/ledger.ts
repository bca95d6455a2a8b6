import type { LedgerEntryKind } from '@cineweave/contracts';
import type { EntityManager } from 'typeorm';

/**
 * Ledger rows and the account's cached totals move together, always inside the caller's
 * transaction. `amount` changes the balance, `reservedDelta` changes what is held for running
 * work: a reserve holds, a capture spends what was held, a release lets it go.
 */
export interface LedgerEntry {
  accountId: string;
  kind: LedgerEntryKind;
  amount: number;
  reservedDelta?: number;
  jobId?: string | null;
  reference?: string | null;
  reason?: string | null;
  actor?: string | null;
  /** Change to the account's active-job count that goes with this entry. */
  activeJobsDelta?: number;
}

export async function appendLedger(db: EntityManager, entry: LedgerEntry): Promise<void> {
  await db.query(
    `WITH entry AS (
       INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, job_id, reference, reason, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     )
     UPDATE accounts
        SET balance = balance + $3, reserved = reserved + $4, active_jobs = active_jobs + $9, updated_at = now()
      WHERE id = $1`,
    [
      entry.accountId,
      entry.kind,
      entry.amount,
      entry.reservedDelta ?? 0,
      entry.jobId ?? null,
      entry.reference ?? null,
      entry.reason ?? null,
      entry.actor ?? null,
      entry.activeJobsDelta ?? 0,
    ],
  );
}
