import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an audit row: every column but `hash` itself. */
export interface AuditRowContent {
  seq: number;
  id: string;
  organizationId: string | null;
  occurredAt: Date;
  actorType: 'user' | 'api-key' | 'system';
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceAddress: string | null;
  prevHash: string;
}

/** JSON with object keys sorted at every depth, so jsonb's own key order cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** sha256 over the previous hash and the canonical row: changing any column or any earlier row breaks it. */
export function hashAuditRow(row: AuditRowContent): string {
  return createHash('sha256').update(canonicalJson(row)).digest('hex');
}

/** A row as Postgres returns it (node-postgres: bigint as string, timestamptz as Date). */
export interface StoredAuditRow {
  seq: string | number;
  id: string;
  organization_id: string | null;
  occurred_at: Date;
  actor_type: AuditRowContent['actorType'];
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  source_address: string | null;
  prev_hash: string;
  hash: string;
}

export function contentOf(row: StoredAuditRow): AuditRowContent {
  return {
    seq: Number(row.seq),
    id: row.id,
    organizationId: row.organization_id,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    sourceAddress: row.source_address,
    prevHash: row.prev_hash,
  };
}

export type ChainCheck =
  { ok: true; rows: number; head: string } | { ok: false; rows: number; seq: number; problem: string };

/**
 * Walks the chain in `seq` order and reports the first broken link: a row whose content no
 * longer matches its hash (edited), a `prev_hash` that is not the previous row's hash (a row
 * removed, inserted or re-hashed), or a gap in `seq` (a row removed at the end of a page).
 */
export async function verifyChain(
  pageAfter: (seq: number, limit: number) => Promise<(AuditRowContent & { hash: string })[]>,
  pageSize = 1000,
): Promise<ChainCheck> {
  let previousHash = GENESIS_HASH;
  let previousSeq = 0;
  let rows = 0;
  for (;;) {
    const page = await pageAfter(previousSeq, pageSize);
    for (const row of page) {
      const seq = row.seq;
      if (seq !== previousSeq + 1) {
        return { ok: false, rows, seq, problem: `row ${previousSeq + 1} is missing (next is ${seq})` };
      }
      if (row.prevHash !== previousHash) {
        return { ok: false, rows, seq, problem: `row ${seq} does not follow row ${previousSeq}'s hash` };
      }
      const { hash, ...content } = row;
      if (hashAuditRow(content) !== hash) {
        return { ok: false, rows, seq, problem: `row ${seq} was changed after it was written` };
      }
      previousHash = row.hash;
      previousSeq = seq;
      rows += 1;
    }
    if (page.length < pageSize) return { ok: true, rows, head: previousHash };
  }
}
