import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * With fair queueing an outbox row lives until its job enters the model's BullMQ queue: while the
 * fair dispatcher holds the job, the row is what tells the reconciler "waiting, not lost", and what
 * a new dispatcher rebuilds its queues from. `held_at` marks the rows a dispatcher already took in,
 * so the intake reads only new ones and the outbox-lag gauge still measures what nobody took.
 */
export class OutboxHeld1765420000001 implements MigrationInterface {
  name = 'OutboxHeld1765420000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox ADD COLUMN held_at timestamptz`);
    await db.query(`CREATE INDEX outbox_not_held ON outbox (id) WHERE held_at IS NULL`);
    // A job is looked up by id when it leaves for BullMQ.
    await db.query(`CREATE INDEX outbox_job ON outbox (job_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_job`);
    await db.query(`DROP INDEX outbox_not_held`);
    await db.query(`ALTER TABLE outbox DROP COLUMN held_at`);
  }
}
