import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A queued job's estimate reads its model's last succeeded jobs: an index so that stays a short walk. */
export class ModelRenderTimes1765300000000 implements MigrationInterface {
  name = 'ModelRenderTimes1765300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX jobs_model_recent ON jobs (model, finished_at) WHERE status = 'succeeded'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX jobs_model_recent`);
  }
}
