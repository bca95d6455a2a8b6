import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../../core/database/database.ts';

/** Keys are kept 24 h, as Stripe does; after that the same key starts afresh. */
const KEY_LIFETIME = '24 hours';
/**
 * An `in_flight` row this old was left by a version that claimed keys in a transaction of their
 * own (a request that died mid-way); it may be taken over. Claims now commit with their answer.
 */
const ABANDONED_AFTER = '2 minutes';

/** A key's row as a replay needs it. */
export interface StoredKey {
  requestHash: string;
  state: 'in_flight' | 'done';
  responseStatus: number | null;
  responseBody: unknown;
}

/** The `idempotency_keys` table: one row per (user, key), bound to its first request's answer. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes the key for this request in `tx`: a new key, or one whose lifetime ran out or whose
   * claim was abandoned. False when another request holds it (a concurrent claim waits on the
   * unique index until that one commits).
   */
  async claim(userId: string, key: string, requestHash: string, tx: Sql): Promise<boolean> {
    const claimed = await tx.execute(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_flight')
       ON CONFLICT (user_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
             response_body = NULL, created_at = now(), completed_at = NULL
         WHERE idempotency_keys.created_at < now() - interval '${KEY_LIFETIME}'
            OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}')`,
      [userId, key, requestHash],
    );
    return claimed > 0;
  }

  /** Binds the key to its answer, in the transaction that claimed it. */
  async complete(
    userId: string,
    key: string,
    response: { status: number; body: unknown },
    tx: Sql,
  ): Promise<void> {
    await tx.execute(
      `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4::jsonb, completed_at = now()
        WHERE user_id = $1 AND key = $2`,
      [userId, key, response.status, JSON.stringify(response.body)],
    );
  }

  async find(userId: string, key: string): Promise<StoredKey | null> {
    const [row] = await this.db.query<{
      request_hash: string;
      state: 'in_flight' | 'done';
      response_status: number | null;
      response_body: unknown;
    }>(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return row
      ? {
          requestHash: row.request_hash,
          state: row.state,
          responseStatus: row.response_status,
          responseBody: row.response_body,
        }
      : null;
  }

  /** Deletes keys past their lifetime (with an hour's margin over it). */
  async prune(): Promise<void> {
    await this.db.execute(`DELETE FROM idempotency_keys WHERE created_at < now() - interval '25 hours'`);
  }
}
