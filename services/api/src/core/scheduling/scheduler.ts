import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MAINTENANCE_JOB_NAMES, MAINTENANCE_QUEUE, type MaintenanceJobName } from '@cineweave/contracts';
import { type Job, Queue, type RedisOptions, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from '../redis/redis.ts';

/** A piece of maintenance that runs once per cluster on each tick of its schedule. */
export type PeriodicTask = {
  name: MaintenanceJobName;
  /** `dueAt` is when the tick was due, however late a replica takes it. */
  run(dueAt: Date): Promise<unknown>;
  /** Retries of a failed tick, for a task whose next tick is far off; by default none. */
  retry?: { attempts: number; backoffMs: number };
} & (
  | {
      /** Milliseconds between ticks; the first tick of a new schedule runs at once. */
      every: number;
    }
  | {
      /** A cron pattern, in UTC. */
      pattern: string;
    }
);

/**
 * When a tick was due. A scheduler's job is created when the previous tick starts (its
 * `timestamp` is then, not when it is due): the due time is in its id, `repeat:<name>:<millis>`.
 * A job added by hand is due at its `timestamp`.
 */
export function dueAtOf(job: Pick<Job, 'id' | 'timestamp'>): Date {
  const millis = job.id?.startsWith('repeat:') ? Number(job.id.slice(job.id.lastIndexOf(':') + 1)) : NaN;
  return new Date(Number.isFinite(millis) ? millis : job.timestamp);
}

/**
 * Runs each registered task once per tick across the whole cluster. Every replica upserts the
 * same BullMQ job scheduler per task (an upsert with unchanged options keeps the pending tick,
 * so a restart or a second replica neither skips nor doubles one) and runs a worker on the
 * maintenance queue: each tick is one job, and BullMQ hands a job to exactly one worker.
 *
 * A tick that outlasts its interval may overlap the next one on another replica: tasks are
 * written as guarded statements (a row changes only from the state it was read in), so an
 * overlap does the work once. Tasks register while the modules initialise; the schedules start
 * at application bootstrap, on replicas with BACKGROUND_TASKS on.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(Scheduler.name);
  private readonly tasks = new Map<string, PeriodicTask>();
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(private readonly config: AppConfig) {}

  /** Two handlers for one name would make which one runs depend on the replica: refused. */
  register(task: PeriodicTask): void {
    if (this.tasks.has(task.name)) throw new Error(`Periodic task ${task.name} is registered twice`);
    if (this.queue) throw new Error(`Periodic task ${task.name} registered after the scheduler started`);
    this.tasks.set(task.name, task);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.BACKGROUND_TASKS) return;
    await this.start();
  }

  /** Upserts every task's schedule and starts this replica's share of the runs. */
  async start(): Promise<void> {
    const connection = redisOptions(this.config.env.REDIS_URL) as RedisOptions;
    const prefix = this.config.env.QUEUE_PREFIX;
    this.queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
    this.queue.on('error', (error) => this.logger.warn({ error: error.message }, 'Maintenance queue error'));
    // A task a release retired would otherwise fail every tick, forever.
    const known = new Set<string>(Object.values(MAINTENANCE_JOB_NAMES));
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (!known.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    for (const task of this.tasks.values()) {
      await this.queue.upsertJobScheduler(
        task.name,
        'every' in task ? { every: task.every } : { pattern: task.pattern, tz: 'UTC' },
        {
          name: task.name,
          opts: {
            // Unless the task asks: the next tick does the same work anyway.
            attempts: task.retry?.attempts ?? 1,
            ...(task.retry ? { backoff: { type: 'exponential', delay: task.retry.backoffMs } } : {}),
            removeOnComplete: true,
            removeOnFail: { count: 50 },
          },
        },
      );
    }
    this.worker = new Worker(MAINTENANCE_QUEUE, (job: Job) => this.runTask(job), {
      connection,
      prefix,
      // Each task on its own: a long retention sweep does not hold up the reconciler.
      concurrency: Math.max(1, this.tasks.size),
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ task: job?.name, error: error.message }, 'Periodic task failed'),
    );
    this.worker.on('error', (error) =>
      this.logger.warn({ error: error.message }, 'Maintenance worker error'),
    );
  }

  private async runTask(job: Job): Promise<void> {
    const task = this.tasks.get(job.name);
    // A schedule a differently configured replica upserted, that this one cannot run.
    if (!task) throw new Error(`No periodic task named ${job.name} on this replica`);
    await task.run(dueAtOf(job));
  }

  /** Lets a running task finish before the connections it uses close (in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
