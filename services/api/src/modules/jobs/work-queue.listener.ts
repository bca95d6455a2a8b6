import { InjectQueue, OnQueueEvent, QueueEventsHost, QueueEventsListener } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { JobProgressSchema, QUEUE_NAMES, type VideoJobPayload } from '@cineweave/contracts';
import type { Queue } from 'bullmq';
import { JobsService } from './jobs.service.ts';
import { SettlementService } from './settlement.service.ts';

/**
 * Watches the work queue's event stream: `active` marks a job running, `progress` feeds SSE,
 * and a job BullMQ gave up on (its attempts spent on crashed workers) fails and releases.
 */
@QueueEventsListener(QUEUE_NAMES.videoJobs)
export class WorkQueueListener extends QueueEventsHost {
  private readonly logger = new Logger(WorkQueueListener.name);

  constructor(
    private readonly jobs: JobsService,
    private readonly settlement: SettlementService,
    @InjectQueue(QUEUE_NAMES.videoJobs) private readonly queue: Queue,
  ) {
    super();
  }

  @OnQueueEvent('active')
  async onActive({ jobId }: { jobId: string }): Promise<void> {
    await this.jobs.markRunning(jobId).catch((error: Error) => this.warn(jobId, 'active', error));
  }

  /**
   * A job back in `waiting` or `delayed` after being active was handed back (worker shutdown) or
   * is being retried after a crash: it is queued again, its reservation untouched.
   */
  @OnQueueEvent('waiting')
  async onWaiting({ jobId, prev }: { jobId: string; prev?: string }): Promise<void> {
    if (prev === 'active' || prev === 'failed') {
      await this.jobs.markRequeued(jobId).catch((error: Error) => this.warn(jobId, 'waiting', error));
    }
  }

  @OnQueueEvent('delayed')
  async onDelayed({ jobId }: { jobId: string }): Promise<void> {
    await this.jobs.markRequeued(jobId).catch((error: Error) => this.warn(jobId, 'delayed', error));
  }

  @OnQueueEvent('progress')
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

  @OnQueueEvent('failed')
  async onFailed({ jobId, failedReason }: { jobId: string; failedReason: string }): Promise<void> {
    try {
      const entry = await this.queue.getJob(jobId);
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
