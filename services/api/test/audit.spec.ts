import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonthlyGrantsService } from '../src/modules/billing/monthly-grants.service.ts';
import { type StoredAuditRow, contentOf, hashAuditRow } from '../src/modules/audit/audit-chain.ts';
import { RetentionService } from '../src/modules/retention/retention.service.ts';
import {
  FakeGpuWorker,
  type Harness,
  INTERNAL_TOKEN,
  dev,
  eventually,
  startHarness,
} from './support/harness.ts';
import { png } from './support/images.ts';

const DRAFT = { prompt: 'a kite over the dunes', resolution: '640x352', durationSeconds: 1 };
const ADMIN = 'root-admin';
const VERIFY = fileURLToPath(new URL('../src/modules/audit/audit-verify.ts', import.meta.url));

interface AuditRow {
  seq: string;
  action: string;
  actor_type: string;
  actor_id: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  source_address: string | null;
}

describe('audit log', () => {
  let h: Harness;
  let worker: FakeGpuWorker;

  const as = (user: string) => ({
    get: (path: string) => request(h.server).get(path).set('Authorization', dev(user)),
    post: (path: string, body?: object) =>
      request(h.server).post(path).set('Authorization', dev(user)).send(body),
    put: (path: string, body: object) =>
      request(h.server).put(path).set('Authorization', dev(user)).send(body),
    patch: (path: string, body: object) =>
      request(h.server).patch(path).set('Authorization', dev(user)).send(body),
    delete: (path: string) => request(h.server).delete(path).set('Authorization', dev(user)),
  });
  const rowsSince = async (seq: number): Promise<AuditRow[]> =>
    (await h.db.query(`SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq`, [seq])).rows;
  const head = async (): Promise<number> =>
    Number((await h.db.query(`SELECT coalesce(max(seq), 0) AS seq FROM audit_log`)).rows[0].seq);
  /** Runs `act` and returns exactly the audit rows it wrote. */
  const written = async (act: () => Promise<unknown>): Promise<AuditRow[]> => {
    const before = await head();
    await act();
    return rowsSince(before);
  };
  const verify = async (): Promise<{ code: number; stdout: string }> => {
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [VERIFY], {
        env: { ...process.env, DATABASE_URL: h.databaseUrl },
      });
      return { code: 0, stdout };
    } catch (error) {
      const failed = error as { code: number; stdout: string };
      return { code: failed.code, stdout: failed.stdout };
    }
  };

  beforeAll(async () => {
    h = await startHarness('audit');
    worker = new FakeGpuWorker(h);
    for (const user of ['alice', 'bob']) await as(user).post('/v1/users/init').expect(200);
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it("should record an admin's sign-in once per session, with request id and source address", async () => {
    const rows = await written(async () => {
      await request(h.server)
        .get('/v1/admin/stats')
        .set('Authorization', dev(ADMIN))
        .set('X-Request-Id', 'req-signin-1')
        .expect(200);
      await as(ADMIN).get('/v1/admin/stats').expect(200);
      await as('alice').get('/v1/credits').expect(200);
    });
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'admin.signed-in',
        actor_type: 'user',
        actor_id: ADMIN,
        target_id: ADMIN,
        request_id: 'req-signin-1',
        source_address: expect.stringMatching(/127\.0\.0\.1/),
      }),
    ]);
  });

  it('should write one row per API key created and revoked, naming the key owner as actor', async () => {
    let id = '';
    const created = await written(async () => {
      id = (await as('alice').post('/v1/api-keys', { name: 'ci' }).expect(201)).body.id;
    });
    expect(created).toEqual([
      expect.objectContaining({ action: 'api-key.created', actor_id: 'alice', target_id: id }),
    ]);
    const revoked = await written(() => as('alice').delete(`/v1/api-keys/${id}`).expect(204));
    expect(revoked).toEqual([
      expect.objectContaining({ action: 'api-key.revoked', target_id: id, after: { revoked: true } }),
    ]);
    // A second revoke is a 404 and writes nothing.
    expect(await written(() => as('alice').delete(`/v1/api-keys/${id}`).expect(404))).toEqual([]);
  });

  it('should write one row per credit grant and adjustment with the balance before and after', async () => {
    const grant = await written(() =>
      as(ADMIN)
        .post('/v1/admin/credits/grant', { userId: 'bob', amount: 50, reason: 'goodwill' })
        .expect(200),
    );
    expect(grant).toEqual([
      expect.objectContaining({
        action: 'credits.granted',
        actor_id: ADMIN,
        before: { userId: 'bob', balance: 100 },
        after: { userId: 'bob', balance: 150, amount: 50, reason: 'goodwill' },
      }),
    ]);
    const adjust = await written(() =>
      as(ADMIN)
        .post('/v1/admin/credits/grant', { userId: 'bob', amount: -20, reason: 'typo fix' })
        .expect(200),
    );
    expect(adjust).toEqual([expect.objectContaining({ action: 'credits.adjusted' })]);
    // An adjustment refused by the ledger's rule leaves no row either.
    const refused = await written(() =>
      as(ADMIN)
        .post('/v1/admin/credits/grant', { userId: 'bob', amount: -100_000, reason: 'too much' })
        .expect(422),
    );
    expect(refused).toEqual([]);
  });

  it('should write one row when a paid plan lapses back to free', async () => {
    const { rows } = await h.db.query(
      `UPDATE accounts SET plan_id = 'pro', plan_paid_until = now() - interval '1 day' WHERE user_id = 'bob' RETURNING id`,
    );
    const lapsed = await written(() => h.app.get(MonthlyGrantsService).run());
    expect(lapsed).toEqual([
      expect.objectContaining({
        action: 'plan.changed',
        actor_type: 'system',
        actor_id: 'system:monthly-grants',
        target_id: rows[0].id,
        before: { plan: 'pro' },
      }),
    ]);
  });

  it('should write one row per webhook endpoint created, changed and deleted', async () => {
    let id = '';
    const created = await written(async () => {
      id = (await as('alice').post('/v1/webhooks', { url: 'https://93.184.215.14/hook' }).expect(201)).body
        .id;
    });
    expect(created).toEqual([
      expect.objectContaining({ action: 'webhook-endpoint.created', target_id: id, before: null }),
    ]);
    const changed = await written(() =>
      as('alice').patch(`/v1/webhooks/${id}`, { description: 'billing' }).expect(200),
    );
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      action: 'webhook-endpoint.changed',
      before: expect.objectContaining({ description: '' }),
      after: expect.objectContaining({ description: 'billing' }),
    });
    expect(JSON.stringify(changed[0])).not.toContain('whsec_');
    const deleted = await written(() => as('alice').delete(`/v1/webhooks/${id}`).expect(204));
    expect(deleted).toEqual([
      expect.objectContaining({ action: 'webhook-endpoint.deleted', target_id: id, after: null }),
    ]);
  });

  it('should write one row per moderation policy change and per refusal', async () => {
    const policy = await written(() =>
      as(ADMIN)
        .put('/v1/admin/moderation/policy', { terms: ['dunes'] })
        .expect(200),
    );
    expect(policy).toEqual([
      expect.objectContaining({ action: 'moderation.policy-changed', actor_id: ADMIN }),
    ]);
    const refusal = await written(() => as('alice').post('/v1/jobs', DRAFT).expect(422));
    expect(refusal).toEqual([
      expect.objectContaining({
        action: 'moderation.refused',
        actor_id: 'alice',
        after: expect.objectContaining({ categories: ['term'], provider: 'term-list' }),
      }),
    ]);
    await as(ADMIN).put('/v1/admin/moderation/policy', { terms: [] }).expect(200);
  });

  it('should write one row when the operator or an admin cancels a job, and none when its owner does', async () => {
    const job = async () => (await as('alice').post('/v1/jobs', DRAFT).expect(202)).body.id as string;
    const byOperator = await job();
    const operator = await written(() =>
      request(h.server)
        .post(`/internal/v1/jobs/${byOperator}/cancel`)
        .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
        .expect(200),
    );
    expect(operator).toEqual([
      expect.objectContaining({
        action: 'job.cancelled-by-other',
        actor_type: 'system',
        actor_id: 'system:operator',
        target_id: byOperator,
        before: { status: 'queued', owner: 'alice' },
      }),
    ]);
    const byAdmin = await job();
    const admin = await written(() => as(ADMIN).post(`/v1/admin/jobs/${byAdmin}/cancel`).expect(200));
    expect(admin).toEqual([expect.objectContaining({ action: 'job.cancelled-by-other', actor_id: ADMIN })]);
    const byOwner = await job();
    expect(await written(() => as('alice').post(`/v1/jobs/${byOwner}/cancel`).expect(200))).toEqual([]);
  });

  it('should write one row per retention deletion (job outputs and uploads)', async () => {
    const jobId = (await as('bob').post('/v1/jobs', DRAFT).expect(202)).body.id as string;
    const taken = await worker.take();
    expect(taken.data.jobId).toBe(jobId);
    await worker.succeed(taken);
    await eventually(async () => (await as('bob').get(`/v1/jobs/${jobId}`)).body.status === 'succeeded');
    const outputs = await written(() =>
      h.app.get(RetentionService).sweep(new Date(Date.now() + 400 * 3_600_000)),
    );
    expect(outputs).toEqual([
      expect.objectContaining({
        action: 'retention.deleted',
        actor_id: 'system:retention',
        target_type: 'job-outputs',
        target_id: jobId,
      }),
    ]);
    const upload = await as('bob')
      .post('/v1/uploads')
      .set('Authorization', dev('bob'))
      .attach('file', await png(32, 32), 'in.png')
      .expect(201);
    const uploads = await written(() =>
      h.app.get(RetentionService).sweepUploads(new Date(Date.now() + 400 * 3_600_000)),
    );
    expect(uploads).toEqual([
      expect.objectContaining({
        action: 'retention.deleted',
        target_type: 'upload',
        target_id: upload.body.id,
      }),
    ]);
  });

  it('should list rows newest first with filters and a cursor, and export them as CSV', async () => {
    const page = await as(ADMIN).get('/v1/admin/audit?limit=2').expect(200);
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0].seq).toBeGreaterThan(page.body.items[1].seq);
    const next = await as(ADMIN).get(`/v1/admin/audit?limit=2&cursor=${page.body.nextCursor}`).expect(200);
    expect(next.body.items[0].seq).toBe(page.body.items[1].seq - 1);

    const grants = await as(ADMIN).get('/v1/admin/audit?action=credits.granted').expect(200);
    expect(grants.body.items.map((item: { action: string }) => item.action)).toEqual(['credits.granted']);
    const alice = await as(ADMIN).get('/v1/admin/audit?actorId=alice&limit=100').expect(200);
    expect(alice.body.items.length).toBeGreaterThan(0);
    expect(alice.body.items.every((item: { actorId: string }) => item.actorId === 'alice')).toBe(true);
    const future = await as(ADMIN).get(`/v1/admin/audit?from=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(future.body.items).toEqual([]);

    const csv = await as(ADMIN).get('/v1/admin/audit?format=csv&action=api-key.created').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(
      'seq,occurredAt,actorType,actorId,action,targetType,targetId,before,after,requestId,sourceAddress,prevHash,hash',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('api-key.created');

    await as(ADMIN).get('/v1/admin/audit?action=nonsense').expect(400);
    await as('alice').get('/v1/admin/audit').expect(403);
  });

  it('should not let the application role change or delete audit rows', async () => {
    const app = new pg.Client({ connectionString: h.databaseUrl, options: '-c role=cineweave_app' });
    await app.connect();
    try {
      await expect(app.query(`UPDATE audit_log SET actor_id = 'nobody'`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(app.query(`DELETE FROM audit_log`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE audit_log`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });

  it('should verify an intact chain and report the first broken link after tampering', async () => {
    const intact = await verify();
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^Audit log intact: \d+ rows, head [0-9a-f]{64}/);

    // The database owner (not the application role) tampers; each break is earlier than the last,
    // and the command names the earliest.
    expect(await head()).toBeGreaterThan(12);
    // 1. Row 9 edited and re-hashed to match: row 10 no longer follows it.
    const [nine] = (await h.db.query(`SELECT * FROM audit_log WHERE seq = 9`)).rows as StoredAuditRow[];
    const forged = { ...nine, actor_id: 'someone-else' };
    await h.db.query(`UPDATE audit_log SET actor_id = $2, hash = $3 WHERE seq = $1`, [
      9,
      forged.actor_id,
      hashAuditRow(contentOf(forged)),
    ]);
    const rehashed = await verify();
    expect(rehashed.code).toBe(1);
    expect(rehashed.stdout).toContain("Audit log broken at row 10: row 10 does not follow row 9's hash");

    // 2. Row 6's after edited in place: its own hash no longer matches.
    await h.db.query(`UPDATE audit_log SET after = '{"amount": 5000}'::jsonb WHERE seq = 6`);
    const edited = await verify();
    expect(edited.stdout).toContain('Audit log broken at row 6: row 6 was changed after it was written');

    // 3. Row 3 deleted: a gap.
    await h.db.query(`DELETE FROM audit_log WHERE seq = 3`);
    const gap = await verify();
    expect(gap.code).toBe(1);
    expect(gap.stdout).toContain('Audit log broken at row 4: row 3 is missing (next is 4)');
  });
});
