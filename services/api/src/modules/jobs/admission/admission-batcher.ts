import type { Database } from '../../../core/database/database.ts';
import {
  type AdmissionResult,
  type AdmissionRow,
  type AdmissionValues,
  admissionParameters,
  admit,
  admitLocked,
} from './admission.repository.ts';

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
 * Requests of teams with a monthly quota or member cap go in a transaction that locks their
 * accounts first (admitLocked: the monthly sums must not predate the lock), batched likewise.
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

  /**
   * One statement for `batch`. `locked`: in a transaction that locks its accounts first
   * (admitLocked), as the requests of teams with monthly limits need.
   */
  private async run(batch: Waiting[], locked = false): Promise<void> {
    const monthly = locked ? [] : batch.filter((waiting) => waiting.values.monthlyLimits);
    if (monthly.length > 0) {
      // Distinct accounts: the two transactions never wait on each other.
      const hot = batch.filter((waiting) => !waiting.values.monthlyLimits);
      await Promise.all([hot.length > 0 ? this.run(hot) : undefined, this.run(monthly, true)]);
      return;
    }
    this.observeBatch(batch.length);
    let rows: AdmissionResult[];
    try {
      const values = batch.map((waiting) => waiting.values);
      rows = locked
        ? await this.writeLocked(values)
        : await admit(this.db, admissionParameters(values)).catch((error: { code?: string }) => {
            if (error?.code !== CHECK_VIOLATION) throw error;
            return this.writeLocked(values);
          });
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      // Nothing of the batch was written (one statement): admit each alone, so only the
      // request at fault gets the error.
      await Promise.all(batch.map((waiting) => this.run([waiting], locked)));
      return;
    }
    const byRequest = new Map(rows.map((row) => [row.requested_id, row]));
    const unchecked: Waiting[] = [];
    for (const waiting of batch) {
      const row = byRequest.get(waiting.values.jobId);
      if (!row) waiting.reject(new Error(`Account ${waiting.values.accountId} disappeared during admission`));
      // A team with a monthly limit the request did not know of: nothing of it was written.
      else if (row.acct_monthly_unchecked) unchecked.push(waiting);
      else waiting.resolve(row);
    }
    if (unchecked.length > 0) await this.run(unchecked, true);
  }

  /** The batch in a transaction that locks its accounts before admitting (admitLocked). */
  private writeLocked(values: AdmissionValues[]): Promise<AdmissionResult[]> {
    return this.db.transaction((tx) => admitLocked(tx, values));
  }
}
