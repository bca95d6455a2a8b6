import 'reflect-metadata';
import { MAINTENANCE_JOB_NAMES, MAINTENANCE_QUEUE } from '@cineweave/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config/app-config.ts';
import { Scheduler, dueAtOf } from '../src/core/scheduling/scheduler.ts';
import { INTERNAL_TOKEN, REDIS_URL, sleep } from './support/harness.ts';

const EVERY_MS = 400;

/** A replica's scheduler on its own, against the real Redis (no database: the tasks are counters). */
function replica(prefix: string): Scheduler {
  return new Scheduler(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused',
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      S3_ENDPOINT: 'http://127.0.0.1:9',
      S3_ACCESS_KEY: 'unused',
      S3_SECRET_KEY: 'unused',
      S3_BUCKET: 'unused',
      AUTH_MODE: 'dev',
      INTERNAL_TOKEN,
    }),
  );
}

describe(Scheduler.name, () => {
  const prefix = `cwtest-scheduler-${randomBytes(3).toString('hex')}`;
  const started: Scheduler[] = [];

  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((scheduler) => scheduler.beforeApplicationShutdown()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('should run each task once per tick when two replicas schedule it', async () => {
    const runs: { task: string; replica: number; at: number }[] = [];
    for (const [index, scheduler] of [replica(prefix), replica(prefix)].entries()) {
      for (const task of [MAINTENANCE_JOB_NAMES.reconcileJobs, MAINTENANCE_JOB_NAMES.expireOutputs]) {
        scheduler.register({
          name: task,
          every: EVERY_MS,
          run: async () => runs.push({ task, replica: index, at: Date.now() }),
        });
      }
      await scheduler.start();
      started.push(scheduler);
    }

    const window = 6 * EVERY_MS;
    await sleep(window);

    for (const task of [MAINTENANCE_JOB_NAMES.reconcileJobs, MAINTENANCE_JOB_NAMES.expireOutputs]) {
      const times = runs.filter((run) => run.task === task).map((run) => run.at);
      // The first tick runs at once, then one every EVERY_MS: about 7 runs, never one per replica.
      expect(times.length).toBeGreaterThanOrEqual(4);
      expect(times.length).toBeLessThanOrEqual(window / EVERY_MS + 2);
      const gaps = times.slice(1).map((at, i) => at - times[i]!);
      // A tick run twice would show as two runs a few milliseconds apart.
      expect(Math.min(...gaps)).toBeGreaterThan(EVERY_MS / 2);
    }
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual(
        [MAINTENANCE_JOB_NAMES.expireOutputs, MAINTENANCE_JOB_NAMES.reconcileJobs].sort(),
      );
    } finally {
      await queue.close();
    }
  });

  it('should remove the schedule of a task no release has any more when a replica starts', async () => {
    const queue = new Queue(MAINTENANCE_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
    try {
      await queue.upsertJobScheduler('retired-task', { every: 60_000 }, { name: 'retired-task' });
      const scheduler = replica(prefix);
      scheduler.register({ name: MAINTENANCE_JOB_NAMES.monthlyGrants, every: 60_000, run: async () => 0 });
      await scheduler.start();
      started.push(scheduler);
      expect((await queue.getJobSchedulers()).map((entry) => entry.key)).toEqual([
        MAINTENANCE_JOB_NAMES.monthlyGrants,
      ]);
    } finally {
      await queue.close();
    }
  });

  it('should refuse a second task under a name when one is registered', () => {
    const scheduler = replica(prefix);
    const task = { name: MAINTENANCE_JOB_NAMES.monthlyGrants, every: EVERY_MS, run: async () => 0 };
    scheduler.register(task);
    expect(() => scheduler.register(task)).toThrow('Periodic task monthly-grants is registered twice');
  });
});

describe(dueAtOf.name, () => {
  it("should read a scheduler's tick from its job id when the job was created at the tick before", () => {
    const due = Date.parse('2026-12-01T03:00:00Z');
    const created = Date.parse('2026-11-01T03:00:04Z');
    expect(dueAtOf({ id: `repeat:export-usage:${due}`, timestamp: created })).toEqual(new Date(due));
  });

  it('should take the timestamp of a job added by hand when its id is not a tick', () => {
    const at = Date.parse('2026-12-01T03:00:00Z');
    expect(dueAtOf({ id: '7', timestamp: at })).toEqual(new Date(at));
  });
});
