import { DEFAULT_MODEL_ID } from '@cineweave/contracts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, dataSourceOptions } from '../src/core/database/data-source-options.ts';
import { runMigrations } from '../src/core/database/run-migrations.ts';
import { Teams1765400000000 } from '../src/core/database/migrations/1765400000000-teams.ts';
import { ADMIN_URL, type Harness, checkInvariants, dev, startHarness } from './support/harness.ts';

/**
 * Issue #19: today's accounts become one-person teams with their balances, ledgers and jobs
 * intact. The database is migrated to the schema just before teams, filled the way the API
 * wrote it then (sign-up and monthly grants, top-ups, reserves with their captures and releases,
 * a refund, an adjustment, keys, uploads, jobs in every state), then migrated forward.
 */
describe('migration 1765400000000: personal accounts become teams', () => {
  const database = `cw_teams_migration_${randomBytes(4).toString('hex')}`;
  const url = `postgres://postgres@127.0.0.1:5432/${database}`;
  let db: pg.Pool;
  let before: AccountSnapshot[];
  let jobsBefore: {
    id: string;
    account_id: string;
    user_id: string;
    status: string;
    credits_reserved: number;
  }[];
  const apiKey = `cw_${randomBytes(24).toString('base64url')}`;

  interface AccountSnapshot {
    id: string;
    user_id: string;
    plan_id: string;
    balance: number;
    reserved: number;
    active_jobs: number;
    ledger_rows: number;
    ledger_sum: number;
  }

  const snapshot = async (): Promise<AccountSnapshot[]> =>
    (
      await db.query<AccountSnapshot>(
        `SELECT a.id, a.user_id, a.plan_id, a.balance, a.reserved, a.active_jobs,
                count(l.id)::int AS ledger_rows, coalesce(sum(l.amount), 0)::int AS ledger_sum
           FROM accounts a LEFT JOIN credit_ledger l ON l.account_id = a.id
          GROUP BY a.id ORDER BY a.user_id`,
      )
    ).rows;

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const upTo = MIGRATIONS.indexOf(Teams1765400000000);
    expect(upTo).toBeGreaterThan(0);
    const old = new DataSource({
      ...dataSourceOptions({ url, poolSize: 1, role: null }),
      migrations: MIGRATIONS.slice(0, upTo),
    });
    await old.initialize();
    await old.runMigrations({ transaction: 'each' });
    await old.destroy();
    db = new pg.Pool({ connectionString: url, max: 2 });
    await seedPreTeamsInstall(db, apiKey);
    before = await snapshot();
    jobsBefore = (
      await db.query(`SELECT id, account_id, user_id, status, credits_reserved FROM jobs ORDER BY id`)
    ).rows;
    expect(before.length).toBe(PEOPLE);
    expect(jobsBefore.length).toBeGreaterThan(100);
    expect(await runMigrations(url)).toContain('Teams1765400000000');
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('should keep every balance, reservation, active-job count and ledger row to the credit', async () => {
    expect(await snapshot()).toEqual(before);
    await checkInvariants(db);
  });

  it('should keep every job on its account, with its creator, status and reservation', async () => {
    const after = await db.query(
      `SELECT id, account_id, user_id, status, credits_reserved FROM jobs ORDER BY id`,
    );
    expect(after.rows).toEqual(jobsBefore);
  });

  it("should make each account its person's personal team, owned by them and their default", async () => {
    const teams = await db.query(
      `SELECT a.id, a.user_id, a.name, a.personal, a.organization_id, u.default_team_id,
              (SELECT json_agg(json_build_object('user', m.user_id, 'role', m.role, 'source', m.source))
                 FROM team_members m WHERE m.team_id = a.id) AS members
         FROM accounts a JOIN users u ON u.id = a.user_id ORDER BY a.user_id`,
    );
    expect(teams.rows).toHaveLength(PEOPLE);
    for (const team of teams.rows) {
      expect(team).toMatchObject({
        name: 'Personal',
        personal: true,
        organization_id: null,
        default_team_id: team.id,
      });
      expect(team.members).toEqual([{ user: team.user_id, role: 'owner', source: 'personal' }]);
    }
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM team_members`);
    expect(rows[0].n).toBe(PEOPLE);
  });

  it("should bind every API key to its owner's personal team", async () => {
    const keys = await db.query(
      `SELECT count(*)::int AS n FROM api_keys k JOIN accounts a ON a.id = k.team_id WHERE a.user_id = k.user_id`,
    );
    const all = await db.query(`SELECT count(*)::int AS n FROM api_keys`);
    expect(keys.rows[0].n).toBe(all.rows[0].n);
    expect(all.rows[0].n).toBeGreaterThan(0);
  });

  describe('the API on the migrated database', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness('teams_migrated_api', { DATABASE_URL: url });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('should show a migrated person their old balance, jobs and personal team', async () => {
      const person = before.find((account) => account.active_jobs > 0)!;
      const credits = await request(h.server).get('/v1/credits').set('Authorization', dev(person.user_id));
      expect(credits.status).toBe(200);
      expect(credits.body).toMatchObject({
        balance: person.balance,
        reserved: person.reserved,
        available: person.balance - person.reserved,
      });
      const me = await request(h.server).get('/v1/me').set('Authorization', dev(person.user_id));
      expect(me.body.team).toEqual({ id: person.id, name: 'Personal', personal: true, role: 'owner' });
      const jobs = await request(h.server)
        .get('/v1/jobs?limit=100')
        .set('Authorization', dev(person.user_id));
      const theirs = jobsBefore.filter((job) => job.account_id === person.id).map((job) => job.id);
      expect(jobs.body.items.map((job: { id: string }) => job.id).sort()).toEqual(
        theirs.slice(0, 100).sort(),
      );
    });

    it('should let a key made before teams act in its personal team and charge it', async () => {
      const owner = before.find((account) => account.user_id === KEY_OWNER)!;
      const me = await request(h.server).get('/v1/me').set('Authorization', `Bearer ${apiKey}`);
      expect(me.status).toBe(200);
      expect(me.body.team.id).toBe(owner.id);
      const job = await request(h.server)
        .post('/v1/jobs')
        .set('Authorization', `Bearer ${apiKey}`)
        .send({ prompt: 'A lighthouse at dusk', resolution: '640x352', durationSeconds: 1 });
      expect(job.status).toBe(202);
      const { rows } = await db.query(`SELECT account_id FROM jobs WHERE id = $1`, [job.body.id]);
      expect(rows[0].account_id).toBe(owner.id);
      await checkInvariants(db);
    });
  });
});

const PEOPLE = 24;
const KEY_OWNER = 'person-07';
const STATUSES = ['succeeded', 'failed', 'cancelled', 'expired', 'queued', 'running'] as const;

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * What the API of the previous schema wrote, statement by statement: a user and an account on
 * the free plan with the sign-up grant; monthly grants and paid top-ups; each job's reserve, then
 * its capture (succeeded, expired) or release (failed, cancelled), or nothing yet (queued,
 * running); the cached totals moved in the same transaction.
 */
async function seedPreTeamsInstall(db: pg.Pool, apiKey: string): Promise<void> {
  const random = sequence(19);
  const client = await db.connect();
  try {
    for (let n = 0; n < PEOPLE; n++) {
      const userId = `person-${String(n).padStart(2, '0')}`;
      await client.query('BEGIN');
      await client.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [
        userId,
        `${userId}@studio.example`,
      ]);
      const plan = ['free', 'starter', 'pro'][n % 3];
      const [{ id: accountId }] = (
        await client.query(`INSERT INTO accounts (user_id, plan_id) VALUES ($1, $2) RETURNING id`, [
          userId,
          plan,
        ])
      ).rows;
      const move = async (
        kind: string,
        amount: number,
        reservedDelta: number,
        extra: Record<string, unknown> = {},
      ) => {
        await client.query(
          `INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, job_id, reference, reason, actor)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [
            accountId,
            kind,
            amount,
            reservedDelta,
            extra.jobId ?? null,
            extra.reference ?? null,
            extra.reason ?? null,
            extra.actor ?? 'system',
          ],
        );
        await client.query(
          `UPDATE accounts SET balance = balance + $2, reserved = reserved + $3, updated_at = now() WHERE id = $1`,
          [accountId, amount, reservedDelta],
        );
      };
      await move('grant', 100, 0, {
        reference: `signup:${accountId}`,
        reason: 'Free plan credits on sign-up',
      });
      await move('grant', 1000, 0, {
        reference: `monthly:${accountId}:2026-11`,
        reason: 'Monthly plan credits',
      });
      if (n % 4 === 0)
        await move('topup', 2000, 0, { reference: `payment:${randomUUID()}`, reason: 'Credit pack' });
      if (n % 5 === 0) await move('adjust', -30, 0, { reason: 'Correction', actor: 'root-admin' });
      if (n === 7) {
        await client.query(
          `INSERT INTO api_keys (user_id, name, prefix, key_hash) VALUES ($1, 'ci', $2, $3)`,
          [userId, apiKey.slice(0, 11), createHash('sha256').update(apiKey).digest('hex')],
        );
      }
      if (n % 6 === 1) {
        await client.query(
          `INSERT INTO uploads (id, account_id, object_key, content_type, width, height, size_bytes, sha256)
           VALUES ($1, $2, $3, 'image/png', 64, 64, 1000, $4)`,
          [randomUUID(), accountId, `uploads/${accountId}/${randomUUID()}.png`, 'ab'.repeat(32)],
        );
      }
      const jobs = 3 + Math.floor(random() * 8);
      let active = 0;
      for (let j = 0; j < jobs; j++) {
        const status = STATUSES[Math.floor(random() * (n % 2 === 0 ? 4 : STATUSES.length))];
        const credits = 5 + Math.floor(random() * 40);
        const jobId = randomUUID();
        await client.query(
          `INSERT INTO jobs (id, account_id, user_id, status, prompt, resolution, duration_seconds, fps, seed, steps,
                             guidance_scale, model, credits_reserved, credits_charged, attempt_token, created_at)
           VALUES ($1, $2, $3, $4, 'a scene', '640x352', 2, 16, 1, 8, 5, $8, $5, $6, gen_random_uuid(),
                   now() - ($7 || ' hours')::interval)`,
          [
            jobId,
            accountId,
            userId,
            status,
            credits,
            status === 'succeeded' || status === 'expired' ? credits : null,
            String(j + 1),
            DEFAULT_MODEL_ID,
          ],
        );
        await move('reserve', 0, credits, { jobId });
        if (status === 'succeeded' || status === 'expired')
          await move('capture', -credits, -credits, { jobId });
        else if (status === 'failed' || status === 'cancelled') await move('release', 0, -credits, { jobId });
        else active++;
        if (status === 'succeeded' && random() < 0.2) {
          await move('refund', credits, 0, { jobId, reason: 'Bad render', actor: 'root-admin' });
        }
      }
      await client.query(`UPDATE accounts SET active_jobs = $2 WHERE id = $1`, [accountId, active]);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
}
