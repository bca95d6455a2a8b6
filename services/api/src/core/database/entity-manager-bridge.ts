import type { EntityManager } from 'typeorm';
import type { Sql } from './database.ts';

/**
 * TRANSITIONAL: hands a `Database` transaction to helpers that still type their transaction as
 * TypeORM's EntityManager (appendLedger, AuditService.record, ModerationService.recordOutputRefusal)
 * until they take a `Sql`. Safe only because they call nothing but `query(text, values)` and read
 * rows from SELECT and INSERT ... RETURNING, which both shapes answer alike.
 */
export function asEntityManager(sql: Sql): EntityManager {
  return sql as unknown as EntityManager;
}
