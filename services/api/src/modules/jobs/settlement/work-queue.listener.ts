import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { JobProgressSchema, type VideoJobPayload } from '@cineweave/contracts';
import type { Queue } from 'bullmq';
import type { QueueEvent } from '../../../core/queue/queue-event-group.ts';
import { WorkQueues } from '../../../core/queue/work-queues.ts';
import { FairDispatcher } from '../../dispatch/fair-dispatcher.service.ts';
import { JobsRepository } from '../jobs.repository.ts';
import { JobsService } from '../jobs.service.ts';
import { SettlementService } from './settlement.service.ts';

/** Work-queue events after which a worker may be free, or the queue shorter. */
const TOP_UP_EVENTS = new Set(['active', 'completed', 'failed', 'removed']);

/** How often a replica looks for models with unfinished jobs whose queue it does not watch yet. */
const DISCOVER_MS = 5_000;

/**
 * Applies every model's work-queue events: `active` marks a job running, `progress` is stored and
 * sent to SSE subscribers, and a job BullMQ gave up on (its attempts spent on crashed workers)
 * fails and releases. Each event reaches one replica only (WorkQueues reads the events streams
 * as one consumer group), which publishes what it changed to every replica's subscribers.
 * A replica consumes the queues it sends to, and those of every model with unfinished jobs in
 * Postgres (another replica may have admitted them and be gone).
 */
@Injectable()
export class WorkQueueListener implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkQueueListener.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly jobs: JobsService,
    private readonly settlement: SettlementService,
    private readonly queues: WorkQueues,
    private readonly jobRecords: JobsRepository,
    private readonly dispatcher: FairDispatcher,
  ) {}

  onModuleInit(): void {
    this.queues.onEvent((_model, queue, event) => this.apply(queue, event));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.discover().catch((error: Error) =>
      this.logger.warn({ error: error.message }, 'Could not list the models with unfinished jobs'),
    );
    this.timer = setInterval(() => {
      this.discover().catch(() => undefined);
    }, DISCOVER_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async discover(): Promise<void> {
    for (const model of await this.jobRecords.activeModels()) await this.queues.watch(model);
  }

  /** Handlers catch their own errors: what they could not apply, the reconciler repairs. */
  private async apply(queue: Queue, event: QueueEvent): Promise<void> {
    await this.applyToJob(queue, event);
    // A worker took, finished or handed back a job: the fair dispatcher tops the queue up now
    // rather than at its next tick (on another replica, that tick does it).
    // A plain `waiting` is the dispatcher's own add; one with `prev` is a job handed back.
    if (TOP_UP_EVENTS.has(event.event) || (event.event === 'waiting' && event.fields['prev'])) {
      this.dispatcher.nudge();
    }
  }

  private async applyToJob(queue: Queue, { event, jobId, fields, claimed }: QueueEvent): Promise<void> {
    if (!jobId) return;
    // Progress a dead replica left unapplied is at least half a minute old: later reports (or the
    // ending) have overtaken it, and applying it would move the bar back.
    if (claimed && event === 'progress') return;
    switch (event) {
      case 'active':
        return this.onActive({ jobId });
      case 'waiting':
        return this.onWaiting({ jobId, ...(fields['prev'] ? { prev: fields['prev'] } : {}) });
      case 'delayed':
        return this.onDelayed({ jobId });
      case 'progress':
        return this.onProgress({ jobId, data: parseJson(fields['data']) });
      case 'failed':
        return this.onFailed(queue, { jobId, failedReason: fields['failedReason'] ?? '' });
    }
  }

  async onActive({ jobId }: { jobId: string }): Promise<void> {
    await this.jobs.markRunning(jobId).catch((error: Error) => this.warn(jobId, 'active', error));
  }

  /**
   * A job back in `waiting` or `delayed` after being active was handed back (worker shutdown) or
   * is being retried after a crash: it is queued again, its reservation untouched.
   */
  async onWaiting({ jobId, prev }: { jobId: string; prev?: string }): Promise<void> {
    if (prev === 'active' || prev === 'failed') {
      await this.jobs.markRequeued(jobId).catch((error: Error) => this.warn(jobId, 'waiting', error));
    }
  }

  async onDelayed({ jobId }: { jobId: string }): Promise<void> {
    await this.jobs.markRequeued(jobId).catch((error: Error) => this.warn(jobId, 'delayed', error));
  }

  async onProgress({ jobId, data }: { jobId: string; data: unknown }): Promise<void> {
    const progress = JobProgressSchema.safeParse(data);
    if (!progress.success) {
      this.logger.warn({ jobId }, 'Ignored progress that does not match JobProgressSchema');
      return;
    }
    await this.jobs.recordProgress(jobId, progress.data);
    await this.jobs
      .persistProgress(jobId, progress.data)
      .catch((error: Error) => this.warn(jobId, 'progress', error));
  }

  async onFailed(
    queue: Queue,
    { jobId, failedReason }: { jobId: string; failedReason: string },
  ): Promise<void> {
    try {
      const entry = await queue.getJob(jobId);
      if (!entry) return;
      // Only a final failure ends the job: an entry BullMQ retries is delayed or waiting, not
      // failed. The attempt counters cannot tell: a job failed for stalling too often (its
      // worker died again and again) has attemptsMade below its attempts.
      if ((await entry.getState()) !== 'failed') return;
      const payload = entry.data as VideoJobPayload;
      await this.settlement.finish(
        jobId,
        { status: 'failed', reason: `The worker could not complete the job: ${failedReason}` },
        payload.attemptToken,
      );
    } catch (error) {
      this.warn(jobId, 'failed', error as Error);
    }
  }

  private warn(jobId: string, event: string, error: Error): void {
    this.logger.warn({ jobId, event, error: error.message }, 'Could not apply a work-queue event');
  }
}

/** BullMQ writes progress data as JSON text; anything unreadable is refused by the schema after. */
function parseJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
