import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The preset a job was admitted with (quality, balanced, fast): the worker's payload carries it, so a
 * re-enqueued job renders the same way. Null for jobs admitted before presets existed (they ran quality).
 */
export class JobPreset1765170000000 implements MigrationInterface {
  name = 'JobPreset1765170000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE jobs ADD COLUMN preset text CHECK (preset IN ('quality', 'balanced', 'fast'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN preset`);
  }
}
