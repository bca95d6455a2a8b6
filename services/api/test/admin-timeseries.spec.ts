import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, FakeGpuWorker, dev, eventually, startHarness } from './support/harness.ts';

const ZERO = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, expired: 0 };
const DAY = '2026-11-02';
const at = (time: string, day = DAY) => `${day}T${time}Z`;

describe('GET /v1/admin/timeseries', () => {
  let h: Harness;
  const team: Record<string, string> = {};

  /** `userId`'s personal team, or with `organizationTeam` a team of an organization that `userId` works in. */
  async function addTeam(userId: string, email: string | null, organizationTeam?: string): Promise<string> {
    await h.db.query(`INSERT INTO users (id, email) VALUES ($1, $2)`, [userId, email]);
    if (organizationTeam) {
      const { rows } = await h.db.query(
        `WITH org AS (INSERT INTO organizations (name) VALUES ('Acme') RETURNING id)
         INSERT INTO accounts (name, organization_id, plan_id, balance) SELECT $1, id, 'free', 0 FROM org RETURNING id`,
        [organizationTeam],
      );
      return (team[userId] = rows[0].id as string);
    }
    const { rows } = await h.db.query(
      `INSERT INTO accounts (user_id, plan_id, balance) VALUES ($1, 'free', 0) RETURNING id`,
      [userId],
    );
    return (team[userId] = rows[0].id as string);
  }

  /** A job written as it would stand after its life: the test's own rows, not the API's. */
  async function job(
    userId: string,
    status: string,
    times: { created: string; started?: string; finished?: string },
    gpuSeconds: number | null = null,
  ): Promise<void> {
    await h.db.query(
      `INSERT INTO jobs (id, account_id, user_id, status, prompt, resolution, duration_seconds, fps, seed, steps,
                         guidance_scale, model, credits_reserved, attempt_token, created_at, started_at,
                         finished_at, gpu_seconds)
       VALUES ($1, $2, $3, $4, 'a lighthouse', '640x352', 1, 8, 1, 4, 5, 'wan2.2-ti2v-5b', 10, $5, $6, $7, $8, $9)`,
      [
        randomUUID(),
        team[userId],
        userId,
        status,
        randomUUID(),
        times.created,
        times.started ?? null,
        times.finished ?? null,
        gpuSeconds,
      ],
    );
  }

  async function ledger(userId: string, kind: string, amount: number, createdAt: string, reservedDelta = 0) {
    await h.db.query(
      `INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, reason, created_at)
       VALUES ($1, $2, $3, $4, 'seeded', $5)`,
      [team[userId], kind, amount, reservedDelta, createdAt],
    );
  }

  const admin = (query: string) =>
    request(h.server).get(`/v1/admin/timeseries${query}`).set('Authorization', dev('root', true));

  beforeAll(async () => {
    // 3.6 USD per GPU-hour: a GPU-second costs a tenth of a cent.
    h = await startHarness('timeseries', { GPU_HOURLY_COST_USD: '3.6' });
    // Seven teams, so two fall into "other". Personal teams say whose they are (ana has no email:
    // her user id); eve works in an organization's team, which goes by its own name.
    await addTeam('ana', null);
    for (const name of ['ben', 'cy', 'dee', 'fay', 'gus']) await addTeam(name, `${name}@example.com`);
    await addTeam('eve', 'eve@example.com', 'Design team');

    // The hours of 2 November: created, started, finished.
    await job(
      'ana',
      'succeeded',
      { created: at('00:10:00'), started: at('00:20:00'), finished: at('01:00:00') },
      1000,
    );
    await job(
      'ana',
      'succeeded',
      { created: at('00:30:00'), started: at('01:30:00'), finished: at('02:00:00') },
      500,
    );
    // Cancelled while queued: waits from 00:50 until it finishes at 02:30, never starts.
    await job('ben', 'cancelled', { created: at('00:50:00'), finished: at('02:30:00') });
    await job('ben', 'queued', { created: at('02:15:00') });
    await job('cy', 'running', { created: at('03:05:00'), started: at('03:06:00') });
    // Two starts in one hour, waiting 10 s and 100 s: p95 = 10 + 0.95 × 90 = 95.5 s.
    await job('cy', 'running', { created: at('04:00:05'), started: at('04:00:15') });
    await job('cy', 'running', { created: at('04:00:05'), started: at('04:01:45') });

    // GPU time finished on 2 November by jobs created and started the evening before.
    const evening = { created: at('22:00:00', '2026-11-01'), started: at('22:00:00', '2026-11-01') };
    const gpu: [string, number][] = [
      ['ben', 1200],
      ['cy', 900],
      ['dee', 800],
      ['eve', 700],
      ['fay', 100],
      ['gus', 50],
    ];
    for (const [user, seconds] of gpu)
      await job(user, 'succeeded', { ...evening, finished: at('04:30:00') }, seconds);
    // Finished the day before: in no 2 November figure.
    await job(
      'fay',
      'failed',
      {
        created: at('20:00:00', '2026-11-01'),
        started: at('20:00:00', '2026-11-01'),
        finished: at('23:00:00', '2026-11-01'),
      },
      9999,
    );

    await ledger('ana', 'grant', 1000, at('00:01:00'));
    await ledger('ben', 'grant', 500, at('10:00:00'));
    await ledger('ben', 'topup', 300, at('12:00:00'));
    await ledger('ana', 'reserve', 0, at('00:10:00'), 50);
    await ledger('ana', 'capture', -50, at('01:00:00'), -50);
    await ledger('ana', 'capture', -30, at('02:00:00'), -30);
    await ledger('cy', 'grant', 7777, at('23:59:59', '2026-11-01'));
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('should count jobs per hour by status, with the hours without jobs as zeros', async () => {
    const { body } = await admin(`?from=${at('00:00:00')}&to=${at('05:30:00')}&bucket=hour`).expect(200);
    expect(body).toMatchObject({ from: at('00:00:00.000'), to: at('06:00:00.000'), bucket: 'hour' });
    expect(body.jobs).toEqual([
      { at: at('00:00:00.000'), byStatus: { ...ZERO, succeeded: 2, cancelled: 1 } },
      { at: at('01:00:00.000'), byStatus: ZERO },
      { at: at('02:00:00.000'), byStatus: { ...ZERO, queued: 1 } },
      { at: at('03:00:00.000'), byStatus: { ...ZERO, running: 1 } },
      { at: at('04:00:00.000'), byStatus: { ...ZERO, running: 2 } },
      { at: at('05:00:00.000'), byStatus: ZERO },
    ]);
  });

  it('should give the queue depth at each hour and the 95th percentile wait of the jobs started in it', async () => {
    const { body } = await admin(`?from=${at('00:00:00')}&to=${at('05:30:00')}`).expect(200);
    expect(body.queue).toEqual([
      { at: at('00:00:00.000'), depth: 0, started: 1, waitP95Seconds: 600 },
      // ana's second job and ben's cancelled one are waiting at 01:00.
      { at: at('01:00:00.000'), depth: 2, started: 1, waitP95Seconds: 3600 },
      { at: at('02:00:00.000'), depth: 1, started: 0, waitP95Seconds: null },
      // The cancelled job left the queue at 02:30; ben's queued one came at 02:15.
      { at: at('03:00:00.000'), depth: 1, started: 1, waitP95Seconds: 60 },
      { at: at('04:00:00.000'), depth: 1, started: 2, waitP95Seconds: 95.5 },
      { at: at('05:00:00.000'), depth: 1, started: 0, waitP95Seconds: null },
    ]);
  });

  it('should sum GPU time and its cost per day for the five busiest teams and the rest as "other"', async () => {
    const { body } = await admin(`?from=${at('00:00:00')}&to=${at('05:30:00')}`).expect(200);
    expect(body.gpuHourlyCostUsd).toBe(3.6);
    expect(body.teams).toEqual([
      { id: team['ana'], name: 'Personal (ana)' },
      { id: team['ben'], name: 'Personal (ben@example.com)' },
      { id: team['cy'], name: 'Personal (cy@example.com)' },
      { id: team['dee'], name: 'Personal (dee@example.com)' },
      { id: team['eve'], name: 'Design team' },
      { id: 'other', name: 'Other teams' },
    ]);
    expect(body.gpuByDay).toEqual([
      {
        day: DAY,
        byTeam: {
          [team['ana']!]: { gpuSeconds: 1500, costUsd: 1.5 },
          [team['ben']!]: { gpuSeconds: 1200, costUsd: 1.2 },
          [team['cy']!]: { gpuSeconds: 900, costUsd: 0.9 },
          [team['dee']!]: { gpuSeconds: 800, costUsd: 0.8 },
          [team['eve']!]: { gpuSeconds: 700, costUsd: 0.7 },
          other: { gpuSeconds: 150, costUsd: 0.15 },
        },
      },
    ]);
  });

  it('should sum credits granted, topped up and captured per day, leaving reservations out', async () => {
    const { body } = await admin(`?from=${at('00:00:00')}&to=${at('05:30:00')}`).expect(200);
    expect(body.credits).toEqual([{ day: DAY, granted: 1500, toppedUp: 300, captured: 80 }]);
  });

  it('should bucket by day, each day present, a date meaning its UTC midnight', async () => {
    const { body } = await admin('?from=2026-10-31&to=2026-11-02&bucket=day').expect(200);
    expect(body).toMatchObject({
      from: '2026-10-31T00:00:00.000Z',
      to: '2026-11-03T00:00:00.000Z',
      bucket: 'day',
    });
    expect(body.jobs).toEqual([
      { at: '2026-10-31T00:00:00.000Z', byStatus: ZERO },
      { at: '2026-11-01T00:00:00.000Z', byStatus: { ...ZERO, succeeded: 6, failed: 1 } },
      {
        at: '2026-11-02T00:00:00.000Z',
        byStatus: { ...ZERO, succeeded: 2, cancelled: 1, queued: 1, running: 3 },
      },
    ]);
    expect(body.credits).toEqual([
      { day: '2026-10-31', granted: 0, toppedUp: 0, captured: 0 },
      { day: '2026-11-01', granted: 7777, toppedUp: 0, captured: 0 },
      { day: DAY, granted: 1500, toppedUp: 300, captured: 80 },
    ]);
    // fay's failed job of 1 November puts her first over these three days.
    expect(body.teams[0]).toEqual({ id: team['fay'], name: 'Personal (fay@example.com)' });
    expect(
      body.gpuByDay.map(
        (day: { byTeam: Record<string, { gpuSeconds: number }> }) => day.byTeam[team['fay']!]!.gpuSeconds,
      ),
    ).toEqual([0, 9999, 100]);
  });

  it('should default to the last seven days in hours', async () => {
    const { body } = await admin('').expect(200);
    // Seven days back from the current hour, which is shown whole.
    expect(body.jobs).toHaveLength(7 * 24 + 1);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe((7 * 24 + 1) * 3_600_000);
    expect(body.credits.length).toBeGreaterThanOrEqual(8);
  });

  it.each([
    [`from=${at('05:00:00')}&to=${at('04:00:00')}`, 'from', 'is after to'],
    ['from=2026-01-01&to=2026-03-01&bucket=hour', 'from', 'ask for bucket=day'],
    ['from=2024-01-01&to=2026-03-01&bucket=day', 'from', 'more than 366 days'],
    ['from=yesterday', 'from', ''],
    ['to=2026-11-02T10:00:00', 'to', ''],
    ['bucket=week', 'bucket', ''],
    ['team=ana', '', ''],
  ])('should answer 400 naming the field for %s', async (query, field, detail) => {
    const response = await admin(`?${query}`).expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    if (detail) expect(response.body.detail).toContain(detail);
  });

  it('should count a job admitted and settled through the API, and its credits, in the current hour and day', async () => {
    const worker = new FakeGpuWorker(h);
    try {
      await request(h.server)
        .post('/v1/jobs')
        .set('Authorization', dev('hal'))
        .send({ prompt: 'a harbour at dawn', resolution: '640x352', durationSeconds: 1, fps: 8 })
        .expect(202);
      await worker.succeed(await worker.take(), { gpuSeconds: 36 });
      await eventually(async () => {
        const { rows } = await h.db.query(`SELECT status FROM jobs WHERE user_id = 'hal'`);
        return rows[0]?.status === 'succeeded';
      });
      const { body } = await admin('?bucket=hour').expect(200);
      const now = body.jobs.at(-1);
      expect(now.byStatus.succeeded).toBe(1);
      expect(body.queue.reduce((sum: number, bucket: { started: number }) => sum + bucket.started, 0)).toBe(
        1,
      );
      expect(body.credits.at(-1)).toMatchObject({ captured: expect.any(Number) });
      expect(body.credits.at(-1).captured).toBeGreaterThan(0);
      const hal = body.teams.find((t: { name: string }) => t.name === 'Personal (hal)');
      expect(body.gpuByDay.at(-1).byTeam[hal.id]).toEqual({ gpuSeconds: 36, costUsd: 0.036 });
    } finally {
      await worker.close();
    }
  });

  it('should refuse anyone but an admin', async () => {
    await request(h.server).get('/v1/admin/timeseries').set('Authorization', dev('ana')).expect(403);
  });
});
