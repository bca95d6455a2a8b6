import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables whose lists page by `(created_at, id)` with a cursor the API writes. */
const PAGED = ['jobs', 'payments', 'moderation_decisions', 'webhook_deliveries'] as const;

/**
 * A page cursor carries the last row's `created_at` as JavaScript wrote it: to the millisecond.
 * Postgres kept microseconds, so `(created_at, id) < cursor` skipped every row that shared the
 * last row's millisecond but sorted after it (a batch of admissions shares one `now()`): page
 * two of such a list silently lost jobs. Storing these times to the millisecond makes the cursor
 * exact. Values are rounded (Postgres's typmod rule), so the stored time is what the cursor says.
 */
export class MillisecondListTimes1765460000000 implements MigrationInterface {
  name = 'MillisecondListTimes1765460000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of PAGED) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN created_at TYPE timestamptz(3)`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of PAGED) {
      await db.query(`ALTER TABLE ${table} ALTER COLUMN created_at TYPE timestamptz`);
    }
  }
}
