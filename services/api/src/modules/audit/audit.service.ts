import { Injectable } from '@nestjs/common';
import type { AuditAction, AuditEntryView, AuditQuery } from '@cineweave/contracts';
import { stringify } from 'csv-stringify/sync';
import { createHash, randomUUID } from 'node:crypto';
import { Database, type Sql } from '../../core/database/database.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { SignInRecorder } from '../../core/auth/sign-in-recorder.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { z } from 'zod';
import { type AuditRowContent, GENESIS_HASH, hashAuditRow } from './audit-chain.ts';
import { type AuditEntry, AuditRepository } from './audit.repository.ts';
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
  /** The organization the change happened in (team events), so a later per-organization view can filter. */
  organizationId?: string | null;
}

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

  constructor(
    private readonly db: Database,
    private readonly log: AuditRepository,
  ) {}

  async record(event: AuditEvent, sql?: Sql): Promise<void> {
    if (!sql) return this.db.transaction((own) => this.record(event, own));
    const request = currentRequest();
    const actor =
      event.actor ??
      (request?.principal ? actorOf(request.principal) : { type: 'system' as const, id: 'system:api' });
    const head = await this.log.lockHead(sql);
    const content: AuditRowContent = {
      seq: head ? head.seq + 1 : 1,
      id: randomUUID(),
      organizationId: event.organizationId ?? null,
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
    await this.log.append({ ...content, hash: hashAuditRow(content) }, sql);
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
      if (await this.log.markSessionSeen(key, tx)) {
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
    const rows = await this.log.page(
      {
        ...(query.action ? { action: query.action } : {}),
        ...(query.actorId ? { actorId: query.actorId } : {}),
        ...(query.targetId ? { targetId: query.targetId } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(after ? { beforeSeq: after.seq } : {}),
      },
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    return {
      items: page.map(viewOf),
      nextCursor: rows.length > query.limit ? encodeCursor({ seq: page.at(-1)!.seq }) : null,
    };
  }
}

function viewOf(entry: AuditEntry): AuditEntryView {
  return {
    seq: entry.seq,
    id: entry.id,
    occurredAt: entry.occurredAt.toISOString(),
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action as AuditAction,
    targetType: entry.targetType,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId,
    sourceAddress: entry.sourceAddress,
    prevHash: entry.prevHash,
    hash: entry.hash,
  };
}

/** The `sid` claim of a JWT, read without checking (the auth guard already verified the token). */
export function sessionIdOf(token: string): string | null {
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
