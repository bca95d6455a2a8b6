import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Database } from '../src/core/database/database.ts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createApp } from '../src/app.factory.ts';
import type { AppConfig } from '../src/core/config/app-config.ts';
import { RateLimiter } from '../src/core/http/rate-limiter.ts';
import { type Harness, INTERNAL_TOKEN, checkInvariants, dev, startHarness } from './support/harness.ts';

const DRAFT = { prompt: 'a fox in the snow', resolution: '640x352', durationSeconds: 1 };

describe('auth, roles and the ledger role (dev mode)', () => {
  /** A RateLimiter of its own (a replica, as far as counting goes) on this suite's Redis, limit 40/min. */
  const directLimiter = (suffix: string, redis: Redis = h.redis) =>
    new RateLimiter(redis, {
      env: { ...h.config.env, REDIS_PREFIX: `${h.queuePrefix}${suffix}`, RATE_LIMIT_PER_MINUTE: 40 },
    } as AppConfig);
  /** Counts start afresh each minute; a test that counts must not straddle the change. */
  const clearOfWindowEdge = async () => {
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 2_000) await new Promise((resolve) => setTimeout(resolve, left + 10));
  };

  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('auth', { ADMIN_USER_IDS: 'ops-lead', RATE_LIMIT_PER_MINUTE: '40' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should refuse UPDATE and DELETE on the ledger when connected as the application role', async () => {
    await request(h.server).post('/v1/users/init').set('Authorization', dev('ledger-user')).expect(200);
    const app = new pg.Client({ connectionString: h.databaseUrl, options: '-c role=cineweave_app' });
    await app.connect();
    try {
      const [{ current_user }] = (await app.query('SELECT current_user')).rows;
      expect(current_user).toBe('cineweave_app');
      const rows = await app.query(`SELECT count(*)::int AS n FROM credit_ledger`);
      expect(rows.rows[0].n).toBeGreaterThan(0);
      await expect(app.query(`UPDATE credit_ledger SET amount = 1000000`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(app.query(`DELETE FROM credit_ledger`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`TRUNCATE credit_ledger`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
    const untouched = await h.db.query(`SELECT count(*)::int AS n FROM credit_ledger WHERE amount = 1000000`);
    expect(untouched.rows[0].n).toBe(0);
  });

  it('should run the API as the application role when it serves requests', async () => {
    const [{ current_user }] = await h.app
      .get(Database)
      .query<{ current_user: string }>('SELECT current_user');
    expect(current_user).toBe('cineweave_app');
  });

  it('should show an API key once, accept it, and refuse it after revocation', async () => {
    const created = await request(h.server)
      .post('/v1/api-keys')
      .set('Authorization', dev('scripter'))
      .send({ name: 'ci' })
      .expect(201);
    expect(created.body.key).toMatch(/^cw_[A-Za-z0-9_-]{40,}$/);
    const stored = await h.db.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.body.id]);
    expect(stored.rows[0].key_hash).not.toContain(created.body.key);
    const listed = await request(h.server)
      .get('/v1/api-keys')
      .set('Authorization', dev('scripter'))
      .expect(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].key).toBeUndefined();

    const me = await request(h.server)
      .get('/v1/me')
      .set('Authorization', `Bearer ${created.body.key}`)
      .expect(200);
    expect(me.body.user).toMatchObject({ id: 'scripter', authenticatedBy: 'api-key' });
    await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', `Bearer ${created.body.key}`)
      .send(DRAFT)
      .expect(202);

    await request(h.server)
      .delete(`/v1/api-keys/${created.body.id}`)
      .set('Authorization', dev('intruder'))
      .expect(404);
    await request(h.server)
      .delete(`/v1/api-keys/${created.body.id}`)
      .set('Authorization', dev('scripter'))
      .expect(204);
    const refused = await request(h.server)
      .get('/v1/me')
      .set('Authorization', `Bearer ${created.body.key}`)
      .expect(401);
    expect(refused.body.code).toBe('UNAUTHENTICATED');
    await h.jobsQueue.drain(true);
  });

  it('should refuse a revoked API key at once on every replica, though replicas remember keys they have seen', async () => {
    const replica = await createApp(h.config, { logs: false });
    await replica.init();
    const other = replica.getHttpServer() as Server;
    try {
      const created = await request(h.server)
        .post('/v1/api-keys')
        .set('Authorization', dev('two-replicas'))
        .send({ name: 'ci' })
        .expect(201);
      const key = `Bearer ${created.body.key}`;
      // Both replicas have looked the key up, so both would answer from memory.
      await request(h.server).get('/v1/me').set('Authorization', key).expect(200);
      await request(other).get('/v1/me').set('Authorization', key).expect(200);

      await request(h.server)
        .delete(`/v1/api-keys/${created.body.id}`)
        .set('Authorization', dev('two-replicas'))
        .expect(204);
      await request(h.server).get('/v1/me').set('Authorization', key).expect(401);
      // The other replica hears of it over Redis within moments, not after its memory expires.
      const deadline = Date.now() + 2_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await request(other).get('/v1/me').set('Authorization', key)).status;
        if (status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(status).toBe(401);
    } finally {
      await replica.close();
    }
  });

  it('should let admins from ADMIN_USER_IDS or the admin claim in, and nobody else', async () => {
    await request(h.server).get('/v1/admin/stats').set('Authorization', dev('someone')).expect(403);
    await request(h.server).post('/v1/users/init').set('Authorization', dev('someone')).expect(200);
    await request(h.server).get('/v1/admin/stats').set('Authorization', dev('ops-lead')).expect(200);
    const stats = await request(h.server)
      .get('/v1/admin/stats')
      .set('Authorization', dev('claims-admin', true))
      .expect(200);
    expect(stats.body).toMatchObject({
      jobsByStatus: expect.any(Object),
      creditsByKind: expect.any(Object),
      gpuHourlyCostUsd: 2.5,
    });
    const users = await request(h.server)
      .get('/v1/admin/users?limit=2')
      .set('Authorization', dev('ops-lead'))
      .expect(200);
    expect(users.body.items).toHaveLength(2);
    expect(users.body.nextCursor).toEqual(expect.any(String));
    const next = await request(h.server)
      .get(`/v1/admin/users?limit=2&cursor=${users.body.nextCursor}`)
      .set('Authorization', dev('ops-lead'))
      .expect(200);
    expect(next.body.items[0].userId > users.body.items[1].userId).toBe(true);
    const granted = await request(h.server)
      .post('/v1/admin/credits/grant')
      .set('Authorization', dev('ops-lead'))
      .send({ userId: 'scripter', amount: 25, reason: 'support gesture' })
      .expect(200);
    expect(granted.body).toMatchObject({ balance: 125, reserved: 3, available: 122 });
    const allJobs = await request(h.server)
      .get('/v1/admin/jobs?status=queued')
      .set('Authorization', dev('ops-lead'))
      .expect(200);
    // Across accounts, each job says whose it is; a user's own listing does not need to.
    expect(allJobs.body.items.length).toBeGreaterThan(0);
    for (const item of allJobs.body.items) expect(item.userId).toEqual(expect.any(String));
    const own = await request(h.server).get('/v1/jobs').set('Authorization', dev('scripter')).expect(200);
    expect(own.body.items[0]?.userId).toBeUndefined();
    await checkInvariants(h.db);
  });

  it('should answer 429 with Retry-After when a user exceeds the per-minute rate, and only that user', async () => {
    await clearOfWindowEdge();
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) {
      const response = await request(h.server).get('/v1/credits').set('Authorization', dev('spammer'));
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.body.code).toBe('RATE_LIMITED');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    // The counter lives in Redis, so another replica would see the same count; another user is unaffected.
    const keys = await h.redis.keys(`${h.queuePrefix}:rl:spammer:*`);
    expect(keys).toHaveLength(1);
    await request(h.server).get('/v1/credits').set('Authorization', dev('quiet-user')).expect(200);
  });

  it('should let exactly the per-minute rate through when a user sends many requests at once', async () => {
    await clearOfWindowEdge();
    // Simultaneous hits share Redis round trips; each must still get its own place in the window.
    const statuses = (
      await Promise.all(
        Array.from({ length: 60 }, () =>
          request(h.server).get('/v1/credits').set('Authorization', dev('burster')),
        ),
      )
    ).map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(40);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
  });

  it('should give each of many simultaneous hits its own place in the window', async () => {
    await clearOfWindowEdge();
    // Called in one tick, the first hit goes to Redis alone and the other 59 share the next round trip.
    const limiter = directLimiter('-direct');
    const answers = await Promise.all(Array.from({ length: 60 }, () => limiter.hit('tick-user')));
    expect(answers.filter((retryAfter) => retryAfter === null)).toHaveLength(40);
    expect(answers.slice(0, 40).every((retryAfter) => retryAfter === null)).toBe(true);
    const keys = await h.redis.keys(`${h.queuePrefix}-direct:rl:tick-user:*`);
    expect(Number(await h.redis.get(keys[0]))).toBe(60);
    await h.redis.del(...keys);
  });

  it('should let a user well under the limit through without waiting for Redis, and still count every hit', async () => {
    await clearOfWindowEdge();
    const limiter = directLimiter('-clear');
    expect(await limiter.hit('steady-user')).toBeNull(); // the first hit of a window waits for Redis
    const notYet = () => new Promise((resolve) => setImmediate(() => resolve('waited for Redis')));
    // Under half the limit (20 of 40), by the count Redis gave plus the hits still unanswered.
    const early = await Promise.all(
      Array.from({ length: 18 }, () => Promise.race([limiter.hit('steady-user'), notYet()])),
    );
    expect(early).toEqual(Array.from({ length: 18 }, () => null));
    // From half the limit on, every hit waits for its exact place: 40 pass in all, then refusals.
    const rest = await Promise.all(Array.from({ length: 30 }, () => limiter.hit('steady-user')));
    expect(rest.filter((retryAfter) => retryAfter === null)).toHaveLength(40 - 19);
    expect(rest.slice(0, 21).every((retryAfter) => retryAfter === null)).toBe(true);
    const keys = await h.redis.keys(`${h.queuePrefix}-clear:rl:steady-user:*`);
    expect(Number(await h.redis.get(keys[0]))).toBe(49);
    await h.redis.del(...keys);
  });

  it('should hold the limit across replicas: one that has not heard from Redis waits for it', async () => {
    await clearOfWindowEdge();
    const first = directLimiter('-replicas');
    const second = directLimiter('-replicas');
    for (let i = 0; i < 30; i++) expect(await first.hit('two-replica-user')).toBeNull();
    // The second replica has seen none of those 30; it must not let 20 more through on its own guess.
    const answers = await Promise.all(Array.from({ length: 20 }, () => second.hit('two-replica-user')));
    expect(answers.filter((retryAfter) => retryAfter === null)).toHaveLength(10);
    const keys = await h.redis.keys(`${h.queuePrefix}-replicas:rl:two-replica-user:*`);
    expect(Number(await h.redis.get(keys[0]))).toBe(50);
    await h.redis.del(...keys);
  });

  it('should stop letting hits through unwaited once Redis fails, and report the failure', async () => {
    await clearOfWindowEdge();
    // Without an offline queue, commands on a closed connection fail at once instead of waiting.
    const redis = new Redis(h.config.env.REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
    await redis.connect();
    const limiter = directLimiter('-failing', redis);
    expect(await limiter.hit('unlucky-user')).toBeNull();
    await redis.quit();
    // This hit was let through on the last count; its count fails on the way.
    expect(await limiter.hit('unlucky-user')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(limiter.hit('unlucky-user')).rejects.toThrow(/writeable|closed/i);
    const keys = await h.redis.keys(`${h.queuePrefix}-failing:rl:unlucky-user:*`);
    if (keys.length > 0) await h.redis.del(...keys);
  });

  it('should submit a VideoJob once per uid and cancel it when the operator asks', async () => {
    const internal = (path: string) =>
      request(h.server).post(path).set('Authorization', `Bearer ${INTERNAL_TOKEN}`);
    const body = {
      uid: '6f1c7d4e-vj-uid',
      userId: 'scripter',
      spec: { ...DRAFT, priority: 80, model: 'wan2.2-tiny-test' },
    };
    const first = await internal('/internal/v1/jobs').send(body).expect(202);
    const again = await internal('/internal/v1/jobs').send(body).expect(200);
    expect(again.body.id).toBe(first.body.id);
    expect(first.body.priority).toBe(80);
    const stats = await request(h.server)
      .get('/internal/v1/queues/stats')
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .expect(200);
    expect(stats.body.models).toContainEqual({ model: 'wan2.2-tiny-test', waiting: 1, active: 0 });
    const seen = await request(h.server)
      .get(`/internal/v1/jobs/${first.body.id}`)
      .set('Authorization', `Bearer ${INTERNAL_TOKEN}`)
      .expect(200);
    expect(seen.body).toMatchObject({ status: 'queued', queuePosition: 0 });
    const cancelled = await internal(`/internal/v1/jobs/${first.body.id}/cancel`).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await internal(`/internal/v1/jobs/${first.body.id}/cancel`).expect(200);
    const jobs = await h.db.query(`SELECT count(*)::int AS n FROM jobs WHERE external_ref = $1`, [body.uid]);
    expect(jobs.rows[0].n).toBe(1);
    await checkInvariants(h.db);
  });
});

describe('auth (clerk mode over HTTP)', () => {
  const party = 'http://localhost:4200';
  const issuer = 'https://clerk.cineweave.test';
  let h: Harness;
  let key: CryptoKey;
  const now = () => Math.floor(Date.now() / 1000);
  const token = (claims: Record<string, unknown> = {}) =>
    new SignJWT({
      sub: 'user_clerk1',
      azp: party,
      iss: issuer,
      iat: now() - 5,
      nbf: now() - 5,
      exp: now() + 60,
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = pair.privateKey;
    h = await startHarness('clerk', {
      AUTH_MODE: 'clerk',
      CLERK_JWT_KEY: await exportSPKI(pair.publicKey),
      CLERK_AUTHORIZED_PARTIES: party,
      CLERK_PUBLISHABLE_KEY: 'pk_test_abc',
      CLERK_ISSUER: issuer,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('should tell the portal to use Clerk when it reads /v1/config', async () => {
    const config = await request(h.server).get('/v1/config').expect(200);
    expect(config.body).toEqual({
      authMode: 'clerk',
      clerkPublishableKey: 'pk_test_abc',
      paymentsProvider: 'none',
      retentionHours: 24,
      formDefaults: { quality: 'hd', durationSeconds: 5, steps: 50 },
    });
  });

  it('should accept a valid session token and refuse bad ones with 401', async () => {
    await request(h.server)
      .get('/v1/me')
      .set('Authorization', `Bearer ${await token()}`)
      .expect(200);
    const bad = [
      await token({ exp: now() - 100, iat: now() - 200, nbf: now() - 200 }),
      await token({ nbf: now() + 600 }),
      await token({ azp: 'https://evil.example.com' }),
      // Signed with the right key, but claiming another Clerk instance issued it.
      await token({ iss: 'https://clerk.other-instance.test' }),
      await token({ iss: undefined }),
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'user_clerk1', azp: party, exp: now() + 60 })).toString('base64url')}.`,
      'dev:user_clerk1',
    ];
    for (const t of bad) {
      const response = await request(h.server).get('/v1/me').set('Authorization', `Bearer ${t}`);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
