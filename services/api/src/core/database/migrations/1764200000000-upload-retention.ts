import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of uploaded images, and images the API downloads for a VideoJob's `spec.image.url`.
 *
 * An upload past RETENTION_HOURS that no queued or running job uses is deleted from S3 and
 * marked `deleted_at` (the row stays: jobs keep pointing at it, and keep the image's sha256).
 * The trigger closes the race between the sweeper and an admission that checked the upload a
 * moment earlier: a job insert takes a share lock on its live upload row, which the sweeper's
 * `FOR UPDATE SKIP LOCKED` steps around; if the sweeper locked it first, the insert waits, sees
 * `deleted_at` set and fails with SQLSTATE CW410, answered as 410 Gone. The trigger only fires
 * for jobs with an upload, so text-to-video admission pays nothing for it.
 */
export class UploadRetention1764200000000 implements MigrationInterface {
  name = 'UploadRetention1764200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE uploads ADD COLUMN source_url text, ADD COLUMN deleted_at timestamptz`);
    await db.query(`CREATE INDEX uploads_retention ON uploads (created_at) WHERE deleted_at IS NULL`);
    await db.query(`
      CREATE FUNCTION jobs_require_live_upload() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM uploads WHERE id = NEW.image_upload_id AND deleted_at IS NULL FOR SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'upload % was deleted after its retention period', NEW.image_upload_id
            USING ERRCODE = 'CW410';
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER jobs_require_live_upload BEFORE INSERT ON jobs
        FOR EACH ROW WHEN (NEW.image_upload_id IS NOT NULL) EXECUTE FUNCTION jobs_require_live_upload()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER IF EXISTS jobs_require_live_upload ON jobs`);
    await db.query(`DROP FUNCTION IF EXISTS jobs_require_live_upload()`);
    await db.query(`DROP INDEX IF EXISTS uploads_retention`);
    await db.query(`ALTER TABLE uploads DROP COLUMN IF EXISTS deleted_at, DROP COLUMN IF EXISTS source_url`);
  }
}
