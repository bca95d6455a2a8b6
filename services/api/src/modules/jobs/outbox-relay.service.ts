import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { API_METRICS, JOB_NAMES, type VideoJobPayload, generateJobOptions } from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { inTransaction, runPrepared } from '../../core/database/prepared.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { WorkQueues } from '../../core/queue/work-queues.ts';

const BATCH = 200;
const BATCH_WINDOW_MS = 20;

/**
 * Claims the oldest rows no other replica holds and deletes them in the same statement; the
 * transaction around it commits only after BullMQ has the jobs, so a crash or a Redis error
 * puts the rows back. One statement instead of select-then-mark keeps the relay to three round
 * trips per batch.
 */
const CLAIM_BATCH = `WITH claimed AS (
  DELETE FROM outbox
   WHERE id IN (SELECT id FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING id, job_id, payload
)
SELECT c.job_id, c.payload, j.priority, j.status
  FROM claimed c LEFT JOIN jobs j ON j.id = c.job_id
 ORDER BY c.id`;

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
    @InjectDataSource() private readonly db: DataSource,
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
    const sent = await inTransaction(this.db, async (client) => {
      const rows = await runPrepared<{
        job_id: string;
        payload: VideoJobPayload;
        priority: number | null;
        status: string | null;
      }>(client, 'outbox-claim', CLAIM_BATCH, [BATCH]);
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
            opts: generateJobOptions({ id: row.job_id, priority: row.priority ?? 50 }),
          })),
        );
      }
      // Commit (and so delete the claimed rows) only once Redis has the jobs.
      return rows.length;
    });
    if (sent > 0) this.logger.debug({ count: sent }, 'Relayed outbox rows');
    return sent;
  }

  /** Seconds the oldest pending row has waited (the outbox-lag gauge). */
  async lagSeconds(): Promise<number> {
    const rows: { lag: number | null }[] = await this.db.query(
      `SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS lag FROM outbox WHERE dispatched_at IS NULL`,
    );
    return rows[0]?.lag ?? 0;
  }
}
