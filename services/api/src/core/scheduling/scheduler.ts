import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MAINTENANCE_QUEUE, type MaintenanceJobName } from '@cineweave/contracts';
import { type Job, Queue, type RedisOptions, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from '../redis/redis.ts';

/** A piece of maintenance that runs every `every` milliseconds, once per cluster. */
export interface PeriodicTask {
  name: MaintenanceJobName;
  every: number;
  run(): Promise<unknown>;
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
    for (const task of this.tasks.values()) {
      await this.queue.upsertJobScheduler(
        task.name,
        { every: task.every },
        {
          name: task.name,
          // A failed tick is not retried: the next tick does the same work anyway.
          opts: { attempts: 1, removeOnComplete: true, removeOnFail: { count: 50 } },
        },
      );
    }
    this.worker = new Worker(MAINTENANCE_QUEUE, (job: Job) => this.runTask(job.name), {
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

  private async runTask(name: string): Promise<void> {
    const task = this.tasks.get(name);
    // A schedule an older or differently configured replica upserted, that this one cannot run.
    if (!task) throw new Error(`No periodic task named ${name} on this replica`);
    await task.run();
  }

  /** Lets a running task finish before the connections it uses close (in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
