import { Injectable } from '@nestjs/common';
import type { ErrorCode } from '@cineweave/contracts';
import { createHash } from 'node:crypto';
import { Database, type Transaction } from '../../../core/database/database.ts';
import { DomainError } from '../../../core/errors/domain-error.ts';
import { problem } from '../../../core/errors/problem.ts';
import { IdempotencyRepository } from './idempotency.repository.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Refusals that describe the team at that moment, not the request: too many active jobs (429
 * with Retry-After), a monthly quota or cap used up, credits short. Replaying them would answer a
 * retry made after the condition passed (a job ended, a quota raised, credits added) with the old
 * refusal, so they leave the key free, like a 5xx; the key still admits at most one job.
 */
const MOMENTARY_REFUSALS = new Set<ErrorCode>([
  'ACTIVE_JOB_LIMIT',
  'QUOTA_EXHAUSTED',
  'INSUFFICIENT_CREDITS',
]);

/**
 * `Idempotency-Key` with Stripe's semantics, scoped per user: the same key and body replay the
 * first answer (errors included), the same key with another body is a 422, and a key whose first
 * request is still running is a 409. A 5xx and the momentary refusals leave the key free to retry.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly db: Database,
    private readonly keys: IdempotencyRepository,
  ) {}

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
   * writes (given the transaction) and the stored answer commit together, or not at all.
   * A crash at any point leaves the key either absent (nothing happened: a retry does the work)
   * or bound to its answer (a retry replays it); never a job whose key looks unused. A concurrent
   * request with the same key waits on the row's unique index until the first commits, then
   * replays its answer.
   */
  async run(
    userId: string,
    key: string,
    requestHash: string,
    work: (tx: Transaction) => Promise<{ status: number; body: unknown }>,
  ): Promise<StoredResponse> {
    IdempotencyService.validateKey(key);
    const done = await this.db.transaction(async (tx) => {
      if (!(await this.keys.claim(userId, key, requestHash, tx))) return null;
      let outcome: { status: number; body: unknown };
      let refusal: DomainError | undefined;
      try {
        outcome = await work(tx);
      } catch (error) {
        // A 4xx is an answer, kept for replays; anything else rolls the key back with the work.
        if (!(error instanceof DomainError) || error.status >= 500 || MOMENTARY_REFUSALS.has(error.code)) {
          throw error;
        }
        refusal = error;
        // The body as the filter sends it, extension members (e.g. `limit`) included.
        outcome = {
          status: error.status,
          body: { ...problem(error.code, error.detail, error.errors), ...error.extensions },
        };
      }
      await this.keys.complete(userId, key, outcome, tx);
      return { outcome, refusal };
    });
    if (!done) return this.replay(userId, key, requestHash);
    if (done.refusal) throw done.refusal;
    return { ...done.outcome, replayed: false };
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<StoredResponse> {
    const row = await this.keys.find(userId, key);
    if (!row) {
      throw new DomainError(
        'IDEMPOTENCY_KEY_IN_FLIGHT',
        'A request with this Idempotency-Key just changed state; retry it.',
      );
    }
    if (row.requestHash !== requestHash) {
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
    return { status: row.responseStatus ?? 200, body: row.responseBody, replayed: true };
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
