import type { Database, Sql } from '../../../core/database/database.ts';
import {
  ADMISSION_STATEMENT,
  ADMISSION_STATEMENT_NAME,
  type AdmissionValues,
  admissionParameters,
} from './admission-statement.ts';
import type { JobRow } from '../job-row.ts';

/** The account as the admission statement locked it, and the job if it was admitted. */
export type AdmissionRow = Partial<JobRow> & {
  acct_balance: number;
  acct_reserved: number;
  acct_active_jobs: number;
  acct_job_limit: number;
};

interface Waiting {
  values: AdmissionValues;
  resolve: (row: AdmissionRow) => void;
  reject: (error: unknown) => void;
}

/** Postgres `check_violation`: accounts_available_not_negative refused the new totals. */
const CHECK_VIOLATION = '23514';

/** Batches admitted together at most; more would only lengthen the lock on the accounts. */
const MAX_BATCH = 64;

/**
 * Group admission. While admission statements are running, requests that arrive wait and go
 * together in the next one: one statement and one commit for all of them, which under load
 * costs Postgres (and this process) a fraction of one each. When the API is idle a request
 * goes alone at once, so batching never adds waiting. A batch holds at most one admission per
 * account (the statement checks each against its own account's totals); if a batch fails (one
 * request breaking a constraint), its requests are admitted one by one so only that one fails.
 */
export class AdmissionBatcher {
  private pending: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    /** Told the size of every batch written (for the batch-size histogram). */
    private readonly observeBatch: (size: number) => void = () => undefined,
    /**
     * Admission statements running at once from this process. One: while it runs, everything that
     * arrives gathers into the next batch. More in flight made smaller batches that cost more per
     * admission (bench/api-admission: 4 at once 3,639/s, 2 at once 3,901/s, 1 at a time 4,197/s).
     */
    private readonly maxInFlight = 1,
  ) {}

  admit(values: AdmissionValues): Promise<AdmissionRow> {
    return new Promise<AdmissionRow>((resolve, reject) => {
      this.pending.push({ values, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.takeBatch();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting requests, one per account; the others wait for the next batch. */
  private takeBatch(): Waiting[] {
    const accounts = new Set<string>();
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    for (const waiting of this.pending) {
      if (batch.length < MAX_BATCH && !accounts.has(waiting.values.accountId)) {
        accounts.add(waiting.values.accountId);
        batch.push(waiting);
      } else {
        later.push(waiting);
      }
    }
    this.pending = later;
    return batch;
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.observeBatch(batch.length);
    let rows: (AdmissionRow & { requested_id: string })[];
    try {
      const parameters = admissionParameters(batch.map((waiting) => waiting.values));
      rows = await this.db
        .prepared<AdmissionRow & { requested_id: string }>(
          ADMISSION_STATEMENT_NAME,
          ADMISSION_STATEMENT,
          parameters,
        )
        .catch((error: { code?: string }) => {
          if (error?.code !== CHECK_VIOLATION) throw error;
          return this.writeLocked(batch, parameters);
        });
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // Nothing of the batch was written (one statement): admit each alone, so only the
      // request at fault gets the error.
      await Promise.all(batch.map((waiting) => this.run([waiting])));
      return;
    }
    const byRequest = new Map(rows.map((row) => [row.requested_id, row]));
    for (const waiting of batch) {
      const row = byRequest.get(waiting.values.jobId);
      if (row) waiting.resolve(row);
      else waiting.reject(new Error(`Account ${waiting.values.accountId} disappeared during admission`));
    }
  }

  /** The statement again, after locking its accounts in a statement of their own (admitLocked). */
  private writeLocked(
    batch: Waiting[],
    parameters: unknown[],
  ): Promise<(AdmissionRow & { requested_id: string })[]> {
    const accounts = batch.map((waiting) => waiting.values.accountId);
    return this.db.transaction((tx) => admitLocked(tx, accounts, parameters));
  }
}

/**
 * The admission statement inside the caller's transaction, after locking its accounts in a
 * statement of their own. Within one statement, the UPDATE of the account totals works from the
 * statement's snapshot: when a concurrent grant or capture commits between that snapshot and the
 * row lock, the new totals can break accounts_available_not_negative although the locked row
 * passed the check. With the rows locked first, the statement's snapshot already holds their
 * latest values, so its check and its totals agree: a correct admission or refusal (202/402).
 * The batcher pays these extra round trips only after such a race; the idempotent path always.
 */
export async function admitLocked(
  tx: Sql,
  accountIds: string[],
  parameters: unknown[],
): Promise<(AdmissionRow & { requested_id: string })[]> {
  await tx.query(`SELECT id FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [
    [...new Set(accountIds)],
  ]);
  return tx.prepared<AdmissionRow & { requested_id: string }>(
    ADMISSION_STATEMENT_NAME,
    ADMISSION_STATEMENT,
    parameters,
  );
}
