import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The stage a running job last reported (denoise, decode, encode, sign, upload ...), beside its
 * percent, so a reader who joins late (GET /v1/jobs/:id) sees "Encoding" and not only "100 %".
 */
export class ProgressStage1765100000000 implements MigrationInterface {
  name = 'ProgressStage1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD COLUMN progress_stage text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN progress_stage`);
  }
}
