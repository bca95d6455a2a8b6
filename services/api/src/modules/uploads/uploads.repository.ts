import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';
import { ACTIVE_STATUS_SQL } from '../../core/database/job-status-sql.ts';

/** A queued or running job that needs upload `u`, by its id or by its object key (an operator's s3Key). */
const IN_USE = `SELECT 1 FROM jobs j WHERE j.status IN ${ACTIVE_STATUS_SQL}
                   AND (j.image_upload_id = u.id OR j.image_key = u.object_key)`;

/** An input image as stored: always a re-encoded PNG. */
export interface NewUpload {
  id: string;
  accountId: string;
  objectKey: string;
  width: number;
  height: number;
  sizeBytes: number;
  sha256: string;
  /** Where it was downloaded from (a VideoJob's image URL), or null for an upload. */
  sourceUrl: string | null;
}

/** Owns the SQL of `uploads`. */
@Injectable()
export class UploadsRepository {
  constructor(private readonly db: Database) {}

  async insert(upload: NewUpload, sql: Sql = this.db): Promise<void> {
    await sql.execute(
      `INSERT INTO uploads (id, account_id, object_key, content_type, width, height, size_bytes, sha256, source_url)
       VALUES ($1, $2, $3, 'image/png', $4, $5, $6, $7, $8)`,
      [
        upload.id,
        upload.accountId,
        upload.objectKey,
        upload.width,
        upload.height,
        upload.sizeBytes,
        upload.sha256,
        upload.sourceUrl,
      ],
    );
  }

  /** Deletes the upload unless a job refers to it; answers the object keys of what it deleted. */
  async deleteUnreferenced(uploadId: string, sql: Sql = this.db): Promise<string[]> {
    const rows = await sql.query<{ object_key: string }>(
      `DELETE FROM uploads u WHERE u.id = $1
          AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.image_upload_id = u.id)
        RETURNING object_key`,
      [uploadId],
    );
    return rows.map((row) => row.object_key);
  }

  /** One of the account's uploads, as a job's input image. */
  async findOwned(
    uploadId: string,
    accountId: string,
  ): Promise<{ objectKey: string; sha256: string } | null> {
    const [row] = await this.db.query<{ object_key: string; sha256: string }>(
      `SELECT object_key, sha256 FROM uploads WHERE id = $1 AND account_id = $2`,
      [uploadId, accountId],
    );
    return row ? { objectKey: row.object_key, sha256: row.sha256 } : null;
  }

  /** The sha256 of the account's upload stored under `objectKey`, if there is one. */
  async sha256ByObjectKey(accountId: string, objectKey: string): Promise<string | null> {
    const [row] = await this.db.query<{ sha256: string }>(
      `SELECT sha256 FROM uploads WHERE account_id = $1 AND object_key = $2 LIMIT 1`,
      [accountId, objectKey],
    );
    return row?.sha256 ?? null;
  }

  /**
   * Locks, in `tx`, up to `limit` uploads created before `cutoff` that no active job uses (rows
   * an admission is inserting a job for hold a share lock and are skipped). Leaving in-use ones
   * out here keeps a backlog of them from filling every batch; markDeletedUnlessInUse decides.
   */
  async lockPastRetention(cutoff: Date, limit: number, tx: Sql): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(
      `SELECT u.id FROM uploads u
        WHERE u.deleted_at IS NULL AND u.created_at < $1 AND NOT EXISTS (${IN_USE})
        ORDER BY u.created_at LIMIT $2 FOR UPDATE OF u SKIP LOCKED`,
      [cutoff, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Marks the uploads deleted unless an active job uses them, by a statement whose snapshot sees
   * every job committed before lockPastRetention's locks were taken.
   */
  async markDeletedUnlessInUse(
    uploadIds: readonly string[],
    tx: Sql,
  ): Promise<{ id: string; objectKey: string }[]> {
    const rows = await tx.query<{ id: string; object_key: string }>(
      `UPDATE uploads u SET deleted_at = now()
        WHERE u.id = ANY($1::uuid[]) AND NOT EXISTS (${IN_USE})
        RETURNING u.id, u.object_key`,
      [uploadIds],
    );
    return rows.map((row) => ({ id: row.id, objectKey: row.object_key }));
  }
}
