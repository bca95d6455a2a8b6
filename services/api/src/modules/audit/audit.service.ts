import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuditAction, AuditEntryView, AuditQuery } from '@cineweave/contracts';
import { stringify } from 'csv-stringify/sync';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Sql } from '../../core/database/database.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { SignInRecorder } from '../../core/auth/sign-in-recorder.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { z } from 'zod';
import { type AuditRowContent, GENESIS_HASH, type StoredAuditRow, hashAuditRow } from './audit-chain.ts';
import { currentRequest } from './request-context.ts';

/** Who did it: a person (session), an API key's owner, or the platform itself (`system:<part>`). */
export interface AuditActor {
  type: AuditRowContent['actorType'];
  id: string;
}

export interface AuditEvent {
  action: AuditAction;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  /** Defaults to the caller of the current request, else `system:api`. */
  actor?: AuditActor;
}

/** One advisory lock key for the whole chain: writers queue on it, so the chain has one head. */
const CHAIN_LOCK = 0x6175_6469; // "audi"
const SEEN_SESSIONS_MAX = 10_000;

export const actorOf = (principal: Principal): AuditActor => ({
  type: principal.via === 'api-key' ? 'api-key' : 'user',
  id: principal.userId,
});

/**
 * Appends to the audit log. `record` takes the caller's transaction when the change it reports
 * has one, so the row and the change commit together (or neither does).
 */
@Injectable()
export class AuditService implements SignInRecorder {
  private readonly seenSessions = new Set<string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(event: AuditEvent, tx?: EntityManager | Sql): Promise<void> {
    if (!tx) return this.db.transaction((own) => this.record(event, own));
    // TRANSITIONAL: a TypeORM EntityManager or a Database transaction (Sql); both answer these
    // statements with their rows.
    const sql = tx as EntityManager;
    const request = currentRequest();
    const actor =
      event.actor ??
      (request?.principal ? actorOf(request.principal) : { type: 'system' as const, id: 'system:api' });
    await sql.query(`SELECT pg_advisory_xact_lock($1)`, [CHAIN_LOCK]);
    const [head] = (await sql.query(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)) as {
      seq: string;
      hash: string;
    }[];
    const content: AuditRowContent = {
      seq: head ? Number(head.seq) + 1 : 1,
      id: randomUUID(),
      organizationId: null,
      // Millisecond precision: what a JS Date holds, so the stored time hashes the same when read back.
      occurredAt: new Date(),
      actorType: actor.type,
      actorId: actor.id,
      action: event.action,
      targetType: event.target.type,
      targetId: event.target.id,
      before: event.before ?? null,
      after: event.after ?? null,
      requestId: request ? String((request as { id?: unknown }).id ?? '') || null : null,
      sourceAddress: request?.ip ?? null,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    await sql.query(
      `INSERT INTO audit_log (seq, id, organization_id, occurred_at, actor_type, actor_id, action, target_type,
         target_id, before, after, request_id, source_address, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15)`,
      [
        content.seq,
        content.id,
        content.organizationId,
        content.occurredAt,
        content.actorType,
        content.actorId,
        content.action,
        content.targetType,
        content.targetId,
        content.before === null ? null : JSON.stringify(content.before),
        content.after === null ? null : JSON.stringify(content.after),
        content.requestId,
        content.sourceAddress,
        content.prevHash,
        hashAuditRow(content),
      ],
    );
  }

  /**
   * An admin's sign-in, recorded on the first request of each session (see README, "Audit log"): the
   * session is the token's `sid` claim when it has one (Clerk, most OIDC issuers), else the token.
   * API keys are not sessions and never count as a sign-in.
   */
  async noteAdminRequest(principal: Principal, token: string): Promise<void> {
    if (principal.role !== 'admin' || principal.via === 'api-key') return;
    const key = createHash('sha256')
      .update(`${principal.userId}\u0000${sessionIdOf(token) ?? token}`)
      .digest('hex');
    if (this.seenSessions.has(key)) return;
    await this.db.transaction(async (tx) => {
      const inserted = (await tx.query(
        `INSERT INTO admin_sessions_seen (session_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING session_key`,
        [key],
      )) as unknown[];
      if (inserted.length > 0) {
        await this.record(
          {
            action: 'admin.signed-in',
            target: { type: 'user', id: principal.userId },
            after: { via: principal.via },
            actor: actorOf(principal),
          },
          tx,
        );
      }
    });
    if (this.seenSessions.size >= SEEN_SESSIONS_MAX) this.seenSessions.clear();
    this.seenSessions.add(key);
  }

  /** Every row matching the filters (newest first), for the CSV export; at most `max` rows. */
  async all(query: AuditQuery, max = 100_000): Promise<AuditEntryView[]> {
    const items: AuditEntryView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && items.length < max);
    return items.slice(0, max);
  }

  async list(query: AuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
    const after = decodeCursor(query.cursor, z.object({ seq: z.int() }));
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.action) add('action = ?', query.action);
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.targetId) add('target_id = ?', query.targetId);
    if (query.from) add('occurred_at >= ?', query.from);
    if (query.to) add('occurred_at < ?', query.to);
    if (after) add('seq < ?', after.seq);
    params.push(query.limit + 1);
    const rows = (await this.db.query(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    )) as StoredAuditRow[];
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(viewOf),
      nextCursor: rows.length > query.limit ? encodeCursor({ seq: Number(page.at(-1)!.seq) }) : null,
    };
  }
}

function viewOf(row: StoredAuditRow): AuditEntryView {
  return {
    seq: Number(row.seq),
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action as AuditAction,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.request_id,
    sourceAddress: row.source_address,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The `sid` claim of a JWT, read without checking (the auth guard already verified the token). */
function sessionIdOf(token: string): string | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sid?: unknown };
    return typeof claims.sid === 'string' ? claims.sid : null;
  } catch {
    return null;
  }
}

const CSV_COLUMNS = [
  'seq',
  'occurredAt',
  'actorType',
  'actorId',
  'action',
  'targetType',
  'targetId',
  'before',
  'after',
  'requestId',
  'sourceAddress',
  'prevHash',
  'hash',
] as const;

/** Rows as CSV; before/after as JSON text. */
export function auditCsv(items: AuditEntryView[]): string {
  return stringify(
    items.map((item) => ({
      ...item,
      before: item.before === null ? '' : JSON.stringify(item.before),
      after: item.after === null ? '' : JSON.stringify(item.after),
    })),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}
