import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Usage reports read an account's finished jobs by finish time (`GET /v1/usage`, the monthly export). */
export class UsageIndex1764500000000 implements MigrationInterface {
  name = 'UsageIndex1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE INDEX jobs_usage ON jobs (account_id, finished_at) WHERE finished_at IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX jobs_usage`);
  }
}
