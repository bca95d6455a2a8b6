import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../core/errors/domain-error.ts';
import { problem } from '../../core/errors/problem.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** Keys are kept 24 h, as Stripe does; after that the same key starts afresh. */
const KEY_LIFETIME = '24 hours';
/** A claim this old belongs to a request that died mid-way; it may be taken over. */
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

  async run(
    userId: string,
    key: string,
    requestHash: string,
    work: () => Promise<{ status: number; body: unknown }>,
  ): Promise<StoredResponse> {
    IdempotencyService.validateKey(key);
    const claimed: { key: string }[] = await this.db.query(
      `INSERT INTO idempotency_keys (user_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_flight')
       ON CONFLICT (user_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
             response_body = NULL, created_at = now(), completed_at = NULL
         WHERE idempotency_keys.created_at < now() - interval '${KEY_LIFETIME}'
            OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.created_at < now() - interval '${ABANDONED_AFTER}')
       RETURNING key`,
      [userId, key, requestHash],
    );
    if (claimed.length === 0) return this.replay(userId, key, requestHash);

    let outcome: { status: number; body: unknown };
    try {
      outcome = await work();
    } catch (error) {
      if (error instanceof DomainError && error.status < 500) {
        outcome = { status: error.status, body: problem(error.code, error.detail, error.errors) };
        await this.complete(userId, key, outcome);
        throw error;
      }
      await this.db.query(`DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key]);
      throw error;
    }
    await this.complete(userId, key, outcome);
    return { ...outcome, replayed: false };
  }

  private async complete(
    userId: string,
    key: string,
    outcome: { status: number; body: unknown },
  ): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'done', response_status = $3, response_body = $4::jsonb, completed_at = now()
        WHERE user_id = $1 AND key = $2`,
      [userId, key, outcome.status, JSON.stringify(outcome.body)],
    );
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
