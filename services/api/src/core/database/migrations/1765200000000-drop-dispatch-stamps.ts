import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops two stamps nothing reads any more: `outbox.dispatched_at` (the relay deletes the rows it
 * sends instead of marking them) and `jobs.enqueued_at` (never written). Rows an older relay marked
 * as sent go first: without their mark they would look pending and be sent again. Replicas of the
 * previous release still name these columns, so a rolling update's old pods fail their outbox
 * claims until they are replaced; the rows wait for the new pods (or the reconciler) meanwhile.
 */
export class DropDispatchStamps1765200000000 implements MigrationInterface {
  name = 'DropDispatchStamps1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM outbox WHERE dispatched_at IS NOT NULL`);
    // Its partial index `outbox_pending` goes with it; the claim walks the primary key instead.
    await db.query(`ALTER TABLE outbox DROP COLUMN dispatched_at`);
    await db.query(`ALTER TABLE jobs DROP COLUMN enqueued_at`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD COLUMN enqueued_at timestamptz`);
    await db.query(`ALTER TABLE outbox ADD COLUMN dispatched_at timestamptz`);
    await db.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL`);
  }
}
