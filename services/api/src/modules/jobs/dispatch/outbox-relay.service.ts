import { Injectable } from '@nestjs/common';
import { API_METRICS } from '@cineweave/contracts';
import { MetricsService } from '../../../core/metrics/metrics.service.ts';
import { FairDispatcher } from '../../dispatch/fair-dispatcher.service.ts';
import { OutboxRepository } from './outbox.repository.ts';

/**
 * Where admission and the reconciler hand committed outbox rows on: to the fair dispatcher, which
 * takes them into its models' fair queues and moves jobs into BullMQ when workers are free (see
 * FairDispatcher). Admission nudges it right after commit; the dispatcher's own timer sweeps what
 * a nudge on a replica that does not dispatch, a crash or a Redis outage left behind.
 */
@Injectable()
export class OutboxRelay {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: FairDispatcher,
    metrics: MetricsService,
  ) {
    metrics.gauge({
      name: API_METRICS.outboxLag,
      help: 'Age in seconds of the oldest outbox row no dispatcher has taken in yet (0 when none).',
      collect: async (gauge) => gauge.set(await this.lagSeconds()),
    });
    metrics.gauge({
      name: API_METRICS.fairQueueHeld,
      help: 'Admitted jobs the fair dispatcher holds until a worker of their model is free (the work queue keeps only a shallow buffer).',
      labelNames: ['queue'],
      collect: async (gauge) => {
        const held = await this.outbox.heldByTopic();
        // A queue that drained must read 0, not its last figure.
        gauge.reset();
        for (const [queue, count] of held) gauge.set({ queue }, count);
      },
    });
  }

  /** Take new rows in soon; calls made while a pass runs coalesce into one more pass. */
  nudge(): void {
    this.dispatcher.nudge();
  }

  /** Resolves when this replica has taken in (and, if it dispatches, moved on) what it could. */
  async flush(): Promise<void> {
    await this.dispatcher.flush();
  }

  /** Seconds the oldest row no dispatcher took in has waited (the outbox-lag gauge). */
  async lagSeconds(): Promise<number> {
    return this.outbox.lagSeconds();
  }
}
