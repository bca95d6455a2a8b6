import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Starter allowed 3 videos rendering at once while Free, without a limit of its own, gets
 * MAX_ACTIVE_JOBS_PER_USER (5 by default): a paying user could render fewer at once than a free
 * one. Starter now allows 5, as many as Free at the default; Pro (10) and Enterprise (50) stay.
 * Only the seeded value is changed, so a limit an operator set by hand is left alone.
 */
export class PlanJobLimits1764310000000 implements MigrationInterface {
  name = 'PlanJobLimits1764310000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE plans SET active_job_limit = 5 WHERE id = 'starter' AND active_job_limit = 3`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE plans SET active_job_limit = 3 WHERE id = 'starter' AND active_job_limit = 5`);
  }
}
