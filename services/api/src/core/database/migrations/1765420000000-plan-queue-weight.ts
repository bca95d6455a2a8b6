import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A plan's weight in each model's fair queue (issue #19): between teams that all have jobs waiting,
 * GPU time is shared in proportion to it. Doubling per tier keeps a paying team's share visibly
 * larger without letting any tier shut the free one out (the fair queue never starves a weight).
 */
export class PlanQueueWeight1765420000000 implements MigrationInterface {
  name = 'PlanQueueWeight1765420000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE plans ADD COLUMN queue_weight double precision NOT NULL DEFAULT 1 CHECK (queue_weight > 0)`,
    );
    await db.query(`UPDATE plans SET queue_weight = CASE id
        WHEN 'free' THEN 1 WHEN 'starter' THEN 2 WHEN 'pro' THEN 4 WHEN 'enterprise' THEN 8 ELSE 1 END`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE plans DROP COLUMN queue_weight`);
  }
}
