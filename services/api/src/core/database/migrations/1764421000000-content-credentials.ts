import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The C2PA Content Credentials summary of a job's video (signer, created, model, validation), as
 * the worker read it back after signing; `GET /v1/jobs/:id` returns it. Null for jobs that did not
 * succeed, ran before signing existed, or ran on a worker with signing off.
 */
export class ContentCredentials1764421000000 implements MigrationInterface {
  name = 'ContentCredentials1764421000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD COLUMN content_credentials jsonb`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN content_credentials`);
  }
}
