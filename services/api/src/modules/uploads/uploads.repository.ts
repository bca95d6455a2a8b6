import { Injectable } from '@nestjs/common';
import { Database, type Sql } from '../../core/database/database.ts';

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
}
