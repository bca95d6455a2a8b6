import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, dev, startHarness } from './support/harness.ts';

/**
 * Lists page by `(created_at, id)` with a cursor that carries the last row's time to the
 * millisecond (JavaScript's precision). Rows sharing that instant (a batch of admissions shares
 * one `now()`) must all appear, once, across pages: migration 1765460000000.
 */
describe('paging through rows created at the same instant', () => {
  let h: Harness;
  const user = 'same-instant';

  beforeAll(async () => {
    h = await startHarness('paging_same_instant', { MAX_ACTIVE_JOBS_PER_USER: '100' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should list every job once when they share a created_at to the microsecond', async () => {
    const created: string[] = [];
    for (let i = 0; i < 23; i++) {
      const answer = await request(h.server)
        .post('/v1/jobs')
        .set('Authorization', dev(user))
        .send({ prompt: `shot ${i}`, resolution: '640x352', durationSeconds: 1 })
        .expect(202);
      created.push(answer.body.id);
    }
    // As one admission batch stamps them: one instant, below the millisecond.
    await h.db.query(
      `UPDATE jobs SET created_at = '2026-12-07T10:00:00.123456Z' WHERE id = ANY($1::uuid[])`,
      [created],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await request(h.server)
        .get('/v1/jobs')
        .query({ limit: 5, ...(cursor ? { cursor } : {}) })
        .set('Authorization', dev(user))
        .expect(200);
      seen.push(...page.body.items.map((job) => job.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(created.length);
    expect(new Set(seen)).toEqual(new Set(created));
  });

  it('should store the paged tables’ times to the millisecond the cursor carries', async () => {
    const { rows } = await h.db.query(
      `SELECT table_name, datetime_precision FROM information_schema.columns
        WHERE column_name = 'created_at' AND table_name = ANY($1) ORDER BY table_name`,
      [['jobs', 'moderation_decisions', 'payments', 'webhook_deliveries']],
    );
    expect(rows).toEqual([
      { table_name: 'jobs', datetime_precision: 3 },
      { table_name: 'moderation_decisions', datetime_precision: 3 },
      { table_name: 'payments', datetime_precision: 3 },
      { table_name: 'webhook_deliveries', datetime_precision: 3 },
    ]);
  });
});
