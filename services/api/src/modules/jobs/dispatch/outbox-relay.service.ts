import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { API_METRICS, JOB_NAMES, generateJobOptions } from '@cineweave/contracts';
import { AppConfig } from '../../../core/config/app-config.ts';
import { Database, type Sql } from '../../../core/database/database.ts';
import { MetricsService } from '../../../core/metrics/metrics.service.ts';
import { WorkQueues } from '../../../core/queue/work-queues.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { type ClaimedEntry, OutboxRepository } from './outbox.repository.ts';

const BATCH = 200;
const BATCH_WINDOW_MS = 20;

/**
 * Moves committed outbox rows into BullMQ. Admission nudges it right after commit (so a job
 * reaches the queue in milliseconds) and a timer sweeps whatever a crash or a Redis outage left
 * behind. Rows are claimed with SKIP LOCKED so replicas share the work; BullMQ ignores a second
 * add of the same jobId, so a row sent twice (crash between add and commit) is harmless. Each job
 * goes to its model's queue (the payload's `model`), where only that model's workers look.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobsRepository,
    private readonly queues: WorkQueues,
    metrics: MetricsService,
    private readonly config: AppConfig,
  ) {
    metrics.gauge({
      name: API_METRICS.outboxLag,
      help: 'Age in seconds of the oldest outbox row not yet moved to the queue (0 when empty).',
      collect: async (gauge) => gauge.set(await this.lagSeconds()),
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.nudge(), this.config.env.OUTBOX_POLL_MS);
    this.timer.unref();
    this.nudge();
  }

  /** Before the queue and database connections close (they do in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Drain soon; calls made while a drain runs coalesce into one more pass. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A few milliseconds of patience lets a burst of admissions share one relay transaction.
    this.running = new Promise<void>((resolve) => setTimeout(resolve, BATCH_WINDOW_MS))
      .then(() => this.drainLoop())
      .finally(() => {
        this.running = null;
      });
  }

  /** Drains until empty; resolves when this replica has sent everything it could claim. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    await this.drainOnce();
  }

  private async drainLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.drainOnce()) === BATCH) {
          /* keep going while full batches come back */
        }
      } catch (error) {
        this.logger.warn(
          { error: (error as Error).message },
          'Outbox relay pass failed; retrying on the next tick',
        );
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async drainOnce(): Promise<number> {
    const sent = await this.db.transaction(async (tx) => {
      const rows = await this.outbox.claim(BATCH, tx);
      // A job cancelled before its row was relayed never reaches a worker.
      const live = rows.filter((row) => row.status === 'queued');
      const byModel = Map.groupBy(live, (row) => row.payload.model);
      for (const [model, group] of byModel) {
        // Follow the queue's events before the first job can become active there.
        await this.queues.watch(model);
        await this.queues.forModel(model).addBulk(
          group.map((row) => ({
            name: JOB_NAMES.generate,
            data: row.payload,
            opts: generateJobOptions({ id: row.jobId, priority: row.priority ?? 50 }),
          })),
        );
      }
      await this.withdrawEnded(live, tx);
      // Commit (and so delete the claimed rows) only once Redis has the jobs.
      return rows.length;
    });
    if (sent > 0) this.logger.debug({ count: sent }, 'Relayed outbox rows');
    return sent;
  }

  /**
   * A job that ended between the claim and the add (cancelled, timed out) had its queue entry
   * removed before there was one: remove it now. Whichever of the two looks second finds the
   * entry, since the ending's removal follows its commit and this check follows the add.
   */
  private async withdrawEnded(sent: ClaimedEntry[], tx: Sql): Promise<void> {
    if (sent.length === 0) return;
    const ended = new Set(
      await this.jobs.endedAmong(
        sent.map((row) => row.jobId),
        tx,
      ),
    );
    for (const row of sent.filter((candidate) => ended.has(candidate.jobId))) {
      // A worker holding it already gets the cancel signal; BullMQ will not remove it then.
      await this.queues
        .forModel(row.payload.model)
        .remove(row.jobId)
        .catch(() => 0);
    }
  }

  /** Seconds the oldest pending row has waited (the outbox-lag gauge). */
  async lagSeconds(): Promise<number> {
    return this.outbox.lagSeconds();
  }
}
