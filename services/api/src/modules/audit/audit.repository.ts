import type { Sql } from '../../core/database/database.ts';
import { type AuditRowContent, type StoredAuditRow, contentOf } from './audit-chain.ts';

/** One row of the audit log: its hashed content and the hash. */
export interface AuditEntry extends AuditRowContent {
  hash: string;
}

/** Which rows a page of the log holds; every filter is optional. */
export interface AuditFilters {
  action?: string;
  actorId?: string;
  targetId?: string;
  /** Inclusive. */
  from?: string;
  /** Exclusive. */
  to?: string;
  /** Rows before this `seq` (the previous page's last). */
  beforeSeq?: number;
}

/** One advisory lock key for the whole chain: writers queue on it, so the chain has one head. */
const CHAIN_LOCK = 0x6175_6469; // "audi"

const entryOf = (row: StoredAuditRow): AuditEntry => ({ ...contentOf(row), hash: row.hash });

/**
 * The audit log's rows and the admin sign-ins already noted. Not a decorated Nest provider (the
 * audit module builds it): the `audit:verify` CLI reads the chain through it, run by plain Node.
 */
export class AuditRepository {
  private readonly db: Sql;

  constructor(db: Sql) {
    this.db = db;
  }

  /**
   * The chain's head, read under the chain lock held until `sql`'s transaction ends: the next
   * row appended in that transaction extends it, and no other writer can in between.
   */
  async lockHead(sql: Sql): Promise<{ seq: number; hash: string } | null> {
    await sql.query(`SELECT pg_advisory_xact_lock($1)`, [CHAIN_LOCK]);
    const [head] = await sql.query<{ seq: string; hash: string }>(
      `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`,
    );
    return head ? { seq: Number(head.seq), hash: head.hash } : null;
  }

  async append(entry: AuditEntry, sql: Sql = this.db): Promise<void> {
    await sql.query(
      `INSERT INTO audit_log (seq, id, organization_id, occurred_at, actor_type, actor_id, action, target_type,
         target_id, before, after, request_id, source_address, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12, $13, $14, $15)`,
      [
        entry.seq,
        entry.id,
        entry.organizationId,
        entry.occurredAt,
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.targetType,
        entry.targetId,
        entry.before === null ? null : JSON.stringify(entry.before),
        entry.after === null ? null : JSON.stringify(entry.after),
        entry.requestId,
        entry.sourceAddress,
        entry.prevHash,
        entry.hash,
      ],
    );
  }

  /** Newest first, at most `limit`. */
  async page(filters: AuditFilters, limit: number, sql: Sql = this.db): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      where.push(condition.replace('?', `$${params.length}`));
    };
    if (filters.action) add('action = ?', filters.action);
    if (filters.actorId) add('actor_id = ?', filters.actorId);
    if (filters.targetId) add('target_id = ?', filters.targetId);
    if (filters.from) add('occurred_at >= ?', filters.from);
    if (filters.to) add('occurred_at < ?', filters.to);
    if (filters.beforeSeq !== undefined) add('seq < ?', filters.beforeSeq);
    params.push(limit);
    const rows = await sql.query<StoredAuditRow>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(entryOf);
  }

  /** Oldest first from the row after `seq`, at most `limit`: the chain in the order it was written. */
  async after(seq: number, limit: number, sql: Sql = this.db): Promise<AuditEntry[]> {
    const rows = await sql.query<StoredAuditRow>(
      `SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [seq, limit],
    );
    return rows.map(entryOf);
  }

  /** Notes an admin session; true only the first time it is seen (across replicas). */
  async markSessionSeen(sessionKey: string, sql: Sql = this.db): Promise<boolean> {
    const inserted = await sql.query(
      `INSERT INTO admin_sessions_seen (session_key) VALUES ($1) ON CONFLICT DO NOTHING RETURNING session_key`,
      [sessionKey],
    );
    return inserted.length > 0;
  }
}
