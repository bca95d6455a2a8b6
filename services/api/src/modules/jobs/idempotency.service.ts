import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { inTransaction } from '../../core/database/prepared.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { problem } from '../../core/errors/problem.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** Keys are kept 24 h, as Stripe does; after that the same key starts afresh. */
const KEY_LIFETIME = '24 hours';
/**
 * An `in_flight` row this old was left by a version that claimed keys in a transaction of their
 * own (a request that died mid-way); it may be taken over. Claims now commit with their answer.
 */
const ABANDONED_AFTER = '2 minutes';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` with Stripe's semantics, scoped per user: the same key and body replay the
 * first answer (errors included), the same key with another body is a 422, and a key whose first
 * request is still running is a 409. Only a 5xx leaves the key free to retry.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  static validateKey(key: string): void {
    if (!KEY_PATTERN.test(key)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'Idempotency-Key must be 1-255 printable ASCII characters.',
        [{ field: 'Idempotency-Key', message: 'must be 1-255 printable ASCII characters' }],
      );
    }
  }

  static hashRequest(parts: unknown): string {
    return createHash('sha256').update(canonicalJson(parts)).digest('hex');
  }

  /**
   * Runs `work` once per key, in one transaction with the key's row: the claim, the work's own
   * writes (given the transaction's client) and the stored answer commit together, or not at all.
   * A crash at any point leaves the key either absent (nothing happened: a retry does the work)
   * or bound to its answer (a retry replays it); never a job whose key looks unused. A concurrent
   * request with the same key waits on the row's unique index until the first commits, then
   * replays its answer.
   */
  async run(
    userId: string,
    key: string,
    requestHash: string,
    work: (client: PoolClient) => Promise<{ status: number; body: unknown }>,
  ): Promise<StoredResponse> {
    IdempotencyService.validateKey(key);
    const done = await inTransaction(this.db, async (client) => {
      const claimed = await client.query(
        `INSERT INTO idempotency_keys (user_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_flight')
         ON CONFLICT (user_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
               response_body = NULL, created_at = now(), completed_at = NULL
           WHERE idempotency_keys.created_at < now() - interval '${KEY_LIFETIME}'
              OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}')
         RETURNING key`,
        [userId, key, requestHash],
      );
      if (claimed.rowCount === 0) return null;
      let outcome: { status: number; body: unknown };
      let refusal: DomainError | undefined;
      try {
        outcome = await work(client);
      } catch (error) {
        // A 4xx is an answer, kept for replays; anything else rolls the key back with the work.
        if (!(error instanceof DomainError) || error.status >= 500) throw error;
        refusal = error;
        outcome = { status: error.status, body: problem(error.code, error.detail, error.errors) };
      }
      await client.query(
        `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4::jsonb, completed_at = now()
          WHERE user_id = $1 AND key = $2`,
        [userId, key, outcome.status, JSON.stringify(outcome.body)],
      );
      return { outcome, refusal };
    });
    if (!done) return this.replay(userId, key, requestHash);
    if (done.refusal) throw done.refusal;
    return { ...done.outcome, replayed: false };
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<StoredResponse> {
    const rows: {
      request_hash: string;
      state: string;
      response_status: number | null;
      response_body: unknown;
    }[] = await this.db.query(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    const row = rows[0];
    if (!row) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'A request with this Idempotency-Key just changed state; retry it.',
      );
    }
    if (row.request_hash !== requestHash) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
      );
    }
    if (row.state === 'in_flight') {
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'The first request with this Idempotency-Key is still being processed; retry in a moment.',
        [],
        { 'Retry-After': '1' },
      );
    }
    return { status: row.response_status ?? 200, body: row.response_body, replayed: true };
  }
}

/** JSON with sorted keys, so that field order does not make two identical bodies differ. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
