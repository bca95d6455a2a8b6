import { MAINTENANCE_JOB_NAMES, MAINTENANCE_QUEUE } from '@cineweave/contracts';
import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppConfig } from '../src/core/config/app-config.ts';
import { Scheduler } from '../src/core/scheduling/scheduler.ts';
import { StorageService } from '../src/core/storage/storage.service.ts';
import {
  MONTHLY_PATTERN,
  UsageExportService,
  usageExportKey,
} from '../src/modules/usage/usage-export.service.ts';
import { USAGE_CSV_COLUMNS } from '../src/modules/usage/usage-report.ts';
import { UsageService } from '../src/modules/usage/usage.service.ts';
import { type Harness, FakeGpuWorker, dev, eventually, startHarness } from './support/harness.ts';

const DRAFT = { prompt: 'a harbour at dawn', resolution: '640x352', durationSeconds: 1, fps: 8 };

describe('usage', () => {
  let h: Harness;
  let worker: FakeGpuWorker;
  const finishedJobs: Record<string, string[]> = { ana: [], ben: [] };

  /** A job of `user`, rendered for `gpuSeconds` and moved to have finished on `day`. */
  async function finished(user: string, gpuSeconds: number, day: string, outcome: 'succeeded' | 'failed') {
    const job = await request(h.server)
      .post('/v1/jobs')
      .set('Authorization', dev(user))
      .send(DRAFT)
      .expect(202);
    const taken = await worker.take();
    if (outcome === 'succeeded') await worker.succeed(taken, { gpuSeconds });
    else
      await worker.report({
        jobId: taken.data.jobId,
        attemptToken: taken.data.attemptToken,
        outcome: 'failed',
        reason: 'out of memory',
        workerId: 'fake-worker',
        gpuSeconds,
      });
    await eventually(async () => {
      const rows = await h.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.body.id]);
      return rows.rows[0].status === outcome;
    });
    await h.db.query(`UPDATE jobs SET finished_at = $2::date + interval '12 hours' WHERE id = $1`, [
      job.body.id,
      day,
    ]);
    finishedJobs[user]!.push(job.body.id as string);
  }

  beforeAll(async () => {
    h = await startHarness('usage', { GPU_HOURLY_COST_USD: '3.6' });
    worker = new FakeGpuWorker(h);
    await finished('ana', 100, '2026-10-30', 'succeeded');
    await finished('ana', 50, '2026-11-02', 'succeeded');
    await finished('ana', 10, '2026-11-02', 'failed');
    await finished('ben', 200, '2026-11-02', 'succeeded');
    // Still queued: not usage.
    await request(h.server).post('/v1/jobs').set('Authorization', dev('ana')).send(DRAFT).expect(202);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  it("should sum a person's finished jobs per day and model, charging only what was captured", async () => {
    const response = await request(h.server)
      .get('/v1/usage?from=2026-10-01&to=2026-11-30')
      .set('Authorization', dev('ana'))
      .expect(200);
    expect(response.body).toMatchObject({ from: '2026-10-01', to: '2026-11-30', gpuHourlyCostUsd: 3.6 });
    expect(response.body.items).toEqual([
      expect.objectContaining({
        day: '2026-10-30',
        userId: 'ana',
        jobs: 1,
        gpuSeconds: 100,
        credits: 3,
        costUsd: 0.1,
      }),
      expect.objectContaining({
        day: '2026-11-02',
        userId: 'ana',
        jobs: 2,
        gpuSeconds: 60,
        credits: 3,
        costUsd: 0.06,
      }),
    ]);
    expect(response.body.totals).toEqual({ jobs: 3, gpuSeconds: 160, credits: 6, costUsd: 0.16 });
  });

  it('should answer CSV with the FOCUS columns the README documents', async () => {
    const response = await request(h.server)
      .get('/v1/usage?from=2026-11-01&to=2026-11-30&format=csv')
      .set('Authorization', dev('ana'))
      .expect(200);
    expect(response.headers['content-type']).toContain('text/csv');
    expect(response.headers['content-disposition']).toContain('cineweave-usage-2026-11-01-2026-11-30.csv');
    const rows = parse(response.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...USAGE_CSV_COLUMNS]);
    expect(rows).toEqual([
      expect.objectContaining({
        ChargePeriodStart: '2026-11-02T00:00:00.000Z',
        ChargePeriodEnd: '2026-11-03T00:00:00.000Z',
        SubAccountName: 'Personal (ana)',
        x_UserId: 'ana',
        ConsumedQuantity: '60',
        BilledCost: '0.06',
        x_Jobs: '2',
        x_Credits: '3',
      }),
    ]);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const column of USAGE_CSV_COLUMNS) expect(readme).toContain(`\`${column}\``);
  });

  it("should show admins everyone's usage, or one person's", async () => {
    const all = await request(h.server)
      .get('/v1/admin/usage?from=2026-11-02&to=2026-11-02')
      .set('Authorization', dev('root', true))
      .expect(200);
    expect(all.body.items.map((row: { userId: string }) => row.userId)).toEqual(['ana', 'ben']);
    const ben = await request(h.server)
      .get('/v1/admin/usage?from=2026-11-02&to=2026-11-02&userId=ben')
      .set('Authorization', dev('root', true))
      .expect(200);
    expect(ben.body.totals).toMatchObject({ jobs: 1, gpuSeconds: 200 });
    await request(h.server).get('/v1/admin/usage').set('Authorization', dev('ana')).expect(403);
  });

  it("should give admins one team's usage with ?team=, naming the team on each row and CSV line", async () => {
    const [benTeam] = (await h.db.query(`SELECT id FROM accounts WHERE user_id = 'ben'`)).rows as {
      id: string;
    }[];
    // A personal team says whose it is.
    await h.db.query(`UPDATE users SET email = 'ben@example.com' WHERE id = 'ben'`);
    const json = await request(h.server)
      .get(`/v1/admin/usage?from=2026-10-01&to=2026-11-30&team=${benTeam!.id}`)
      .set('Authorization', dev('root', true))
      .expect(200);
    expect(json.body.items).toEqual([
      expect.objectContaining({
        day: '2026-11-02',
        accountId: benTeam!.id,
        teamName: 'Personal (ben@example.com)',
        userId: 'ben',
      }),
    ]);
    const csv = await request(h.server)
      .get(`/v1/admin/usage?from=2026-10-01&to=2026-11-30&team=${benTeam!.id}&format=csv`)
      .set('Authorization', dev('root', true))
      .expect(200);
    expect(parse(csv.text, { columns: true })).toEqual([
      expect.objectContaining({
        SubAccountId: benTeam!.id,
        SubAccountName: 'Personal (ben@example.com)',
        x_UserId: 'ben',
        ConsumedQuantity: '200',
      }),
    ]);
    // Every team's rows name their own team.
    const all = await request(h.server)
      .get('/v1/admin/usage?from=2026-11-02&to=2026-11-02')
      .set('Authorization', dev('root', true))
      .expect(200);
    expect(all.body.items.map((row: { teamName: string }) => row.teamName)).toEqual([
      'Personal (ana)',
      'Personal (ben@example.com)',
    ]);
    await h.db.query(`UPDATE users SET email = NULL WHERE id = 'ben'`);
  });

  it('should answer 400 naming team for a team id that is not a UUID, from an admin too', async () => {
    const response = await request(h.server)
      .get('/v1/admin/usage?team=ben')
      .set('Authorization', dev('root', true))
      .expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'team' })]);
  });

  it.each([
    ['from=2026-13-01', 'from'],
    ['from=2026-02-30', 'from'],
    ['from=yesterday', 'from'],
    ['from=2026-11-02&to=2026-11-01', 'from'],
    ['from=2025-01-01&to=2026-11-01', 'to'],
    ['format=xlsx', 'format'],
    ['userId=ben', 'userId'],
    ['team=a', 'team'],
    ['team=5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f', 'team'],
    ['unknown=1', ''],
  ])('should answer 400 for %s', async (query, field) => {
    const response = await request(h.server)
      .get(`/v1/usage?${query}`)
      .set('Authorization', dev('ana'))
      .expect(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it("should remove the old usage-exports queue's schedule when a replica with background tasks starts", async () => {
    const legacy = new Queue('usage-exports', {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: h.queuePrefix,
    });
    try {
      await legacy.upsertJobScheduler(
        'monthly-usage-export',
        { pattern: MONTHLY_PATTERN, tz: 'UTC' },
        { name: 'export-month' },
      );
      const config = new AppConfig({ ...h.config.env, BACKGROUND_TASKS: true }, h.config.catalog);
      const replica = new UsageExportService(
        h.app.get(UsageService),
        h.app.get(StorageService),
        new Scheduler(config),
        config,
      );
      await replica.onApplicationBootstrap();
      expect(await legacy.getJobSchedulers()).toEqual([]);
      expect(await legacy.getDelayedCount()).toBe(0);
    } finally {
      await legacy.close();
    }
  });

  it("should write each account's month to the bucket, once per cluster however many replicas schedule it", async () => {
    // Two replicas' schedulers, each with its own UsageExportService registered.
    const schedulers = [0, 1].map(() => new Scheduler(h.app.get(AppConfig)));
    const replicas = schedulers.map((scheduler) => {
      const replica = new UsageExportService(
        h.app.get(UsageService),
        h.app.get(StorageService),
        scheduler,
        h.app.get(AppConfig),
      );
      replica.onModuleInit();
      return replica;
    });
    const queue = new Queue(MAINTENANCE_QUEUE, {
      connection: { host: '127.0.0.1', port: 6379 },
      prefix: h.queuePrefix,
    });
    try {
      for (const scheduler of schedulers) await scheduler.start();
      const schedules = await queue.getJobSchedulers();
      expect(schedules).toEqual([expect.objectContaining({ pattern: MONTHLY_PATTERN, tz: 'UTC' })]);

      // A run due on 1 December exports November.
      await queue.add(
        MAINTENANCE_JOB_NAMES.exportUsage,
        {},
        { timestamp: Date.parse('2026-12-01T03:00:00Z') },
      );
      await eventually(async () => (await queue.getJobCounts('completed')).completed === 1, 15_000);
      const storage = h.app.get(StorageService);
      const accounts = (
        await h.db.query(
          `SELECT a.id, a.user_id FROM accounts a WHERE a.user_id IN ('ana', 'ben') ORDER BY a.user_id`,
        )
      ).rows as { id: string; user_id: string }[];
      for (const account of accounts) {
        const object = await storage.read(usageExportKey('2026-11', account.id));
        const text = await new Response(object.body as never).text();
        const rows = parse(text, { columns: true }) as Record<string, string>[];
        expect(rows.every((row) => row.SubAccountId === account.id)).toBe(true);
        expect(rows.map((row) => row.ChargePeriodStart)).toEqual(['2026-11-02T00:00:00.000Z']);
      }
      // October's job is in no November file, and nothing else was written.
      expect(await replicas[0]!.exportMonth('2026-10')).toHaveLength(1);
    } finally {
      for (const scheduler of schedulers) await scheduler.beforeApplicationShutdown();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
