import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { JOB_NAMES, type VideoJobPayload, generateJobOptions, priorityClassOf } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { WorkQueues } from '../../core/queue/work-queues.ts';
import { WorkerDirectory } from '../models/worker-directory.service.ts';
import { DispatchLeadership } from './dispatch-leadership.ts';
import { FairDispatchRepository, type HeldEntry } from './fair-dispatch.repository.ts';
import { FairQueue, type FairQueueJob } from './fair-queue.ts';
import { FairStandingsStore } from './fair-standings.store.ts';
import { RenderTimes } from './render-times.ts';

/** A job waiting in a model's fair queue, with the payload a worker gets. */
interface WaitingJob extends FairQueueJob {
  readonly payload: VideoJobPayload;
}

/** What a team was charged for a job handed to BullMQ, settled once the job ends. */
interface Charge {
  readonly model: string;
  readonly teamId: string;
  readonly charged: number;
}

const INTAKE_BATCH = 500;
/** A burst of admissions or worker events shares one pass. */
const BATCH_WINDOW_MS = 20;
/** Ended jobs are looked for, and the published order refreshed, at most this often. */
const BOOKKEEPING_MS = 1_000;
/** Plan weights are read again this often (a plan change takes effect within it). */
const WEIGHTS_MS = 60_000;
/**
 * Waiting jobs cancelled or timed out are taken out of the fair queues this often (until then
 * they still count in the places of the jobs behind them; a pick skips them anyway).
 */
const SWEEP_MS = 2_000;
/**
 * The published order is rewritten at least this often even when this replica changed nothing:
 * a worker taking a job, or a cancel removing one from BullMQ, moves everyone behind it.
 */
const REPUBLISH_MS = 1_000;

/**
 * Weighted fair queueing between teams, wired into dispatch (issue #19). Admitted jobs are taken
 * from the outbox into their model's FairQueue; BullMQ holds only a shallow queue per model, about
 * one job per idle worker plus DISPATCH_BUFFER_PER_MODEL, topped up from the fair queue whenever a
 * worker takes or finishes a job (the work-queue events nudge this) and on a timer. So the decision
 * of what a free worker does next is made then, seeing every job admitted until that moment: a
 * team's 500 queued jobs hold up another team's one by at most the buffer.
 *
 * One replica dispatches (DispatchLeadership); the queues live in its memory and are rebuilt from
 * the outbox (Postgres) when it takes the lock, so a restart or a lost Redis loses nothing. A job's
 * outbox row goes only when the job is in BullMQ, so the reconciler, which requeues active jobs with
 * neither a row nor an entry, never mistakes a job waiting here for a lost one.
 */
@Injectable()
export class FairDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FairDispatcher.name);
  private readonly queues = new Map<string, FairQueue<WaitingJob>>();
  private readonly charges = new Map<string, Charge>();
  private readonly weights = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private leading = false;
  /** The queues must be rebuilt from the outbox before the next decision (see `pass`). */
  private stale = true;
  private orderDirty = true;
  private bookkeptAt = 0;
  private weighedAt = 0;
  private sweptAt = 0;
  private publishedAt = 0;

  constructor(
    private readonly leadership: DispatchLeadership,
    private readonly store: FairDispatchRepository,
    private readonly standings: FairStandingsStore,
    private readonly work: WorkQueues,
    private readonly workers: WorkerDirectory,
    private readonly renderTimes: RenderTimes,
    private readonly config: AppConfig,
  ) {}

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
    this.reset();
    // Let another replica take over now rather than when this one's connection closes.
    await this.leadership.release().catch(() => undefined);
  }

  /** Dispatch soon: new jobs were admitted, or a worker took or finished one. Calls coalesce. */
  nudge(): void {
    if (this.stopped) return;
    // Whatever prompted it (an admission, a worker's event, a cancel) may have moved someone's place.
    this.orderDirty = true;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setTimeout(resolve, BATCH_WINDOW_MS))
      .then(() => this.loop())
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves once a pass that started after this call has finished (tests, the reconciler). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (!this.stopped) await this.pass();
  }

  /** Whether this replica is the one dispatching. */
  get isLeading(): boolean {
    return this.leading;
  }

  /** Jobs waiting in the model's fair queue (not yet in BullMQ); 0 on a replica that does not dispatch. */
  waitingOf(model: string): number {
    return this.queues.get(model)?.size ?? 0;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.logger.warn(
          { error: (error as Error).message },
          'Dispatch pass failed; retrying on the next tick',
        );
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async pass(): Promise<void> {
    const lead = await this.leadership.hold();
    if (lead === 'none') {
      if (this.leading) this.reset();
      return;
    }
    this.leading = true;
    try {
      if (lead === 'acquired' || this.stale) {
        this.reset();
        this.leading = true;
        this.stale = false;
        await this.admit(await this.store.takeAll(), true);
      } else {
        let taken: HeldEntry[];
        do {
          taken = await this.store.takeNew(INTAKE_BATCH);
          await this.admit(taken, false);
        } while (taken.length === INTAKE_BATCH);
      }
      await this.bookkeeping();
      for (const model of this.queues.keys()) await this.topUp(model);
      await this.publishOrder();
    } catch (error) {
      // A pass cut short (Redis or Postgres away) may have taken picks out of a fair queue that
      // never reached BullMQ, or rows in it never added: Postgres has them all, so the next pass
      // starts again from the outbox rather than from memory that may be missing jobs.
      this.stale = true;
      throw error;
    }
  }

  /** Forgets everything held in memory (the lock was lost, or is being taken afresh). */
  private reset(): void {
    this.leading = false;
    this.stale = true;
    this.queues.clear();
    this.charges.clear();
    this.weights.clear();
    this.orderDirty = true;
  }

  /** Puts taken outbox rows in their models' fair queues; rows of jobs no longer queued go. */
  private async admit(entries: readonly HeldEntry[], rebuilding: boolean): Promise<void> {
    if (entries.length === 0) return;
    const gone: string[] = [];
    const live = entries.filter((entry) => {
      if (entry.status === 'queued' && entry.teamId) return true;
      gone.push(entry.jobId);
      return false;
    });
    await this.learnWeights(live.map((entry) => entry.teamId as string));
    for (const entry of live) {
      const model = entry.payload.model;
      const queue = this.queueOf(model);
      const added = queue.enqueue(
        {
          id: entry.jobId,
          teamId: entry.teamId as string,
          priorityClass: priorityClassOf(entry.priority ?? 50),
          expectedGpuSeconds: await this.renderTimes.seconds(model),
          payload: entry.payload,
        },
        // A job whose worker's attempt was lost was at the head of the line once: it stays there.
        { handedBack: entry.ranBefore },
      );
      if (added) this.orderDirty = true;
    }
    await this.store.release(gone);
    if (rebuilding) {
      this.logger.log(
        { waiting: live.length, models: this.queues.size },
        'Dispatching: rebuilt the fair queues from the outbox',
      );
    }
  }

  private queueOf(model: string): FairQueue<WaitingJob> {
    let queue = this.queues.get(model);
    if (!queue) {
      queue = new FairQueue<WaitingJob>();
      for (const [teamId, weight] of this.weights) queue.setWeight(teamId, weight);
      this.queues.set(model, queue);
    }
    return queue;
  }

  /** Reads the plan weights of teams not seen yet (and of every team once a minute). */
  private async learnWeights(teamIds: readonly string[]): Promise<void> {
    const refresh = Date.now() - this.weighedAt > WEIGHTS_MS;
    const wanted = refresh
      ? [...new Set([...this.weights.keys(), ...teamIds])]
      : [...new Set(teamIds)].filter((teamId) => !this.weights.has(teamId));
    if (wanted.length === 0) return;
    const weights = await this.store.weights(wanted);
    if (refresh) this.weighedAt = Date.now();
    for (const [teamId, weight] of weights) {
      this.weights.set(teamId, weight);
      for (const queue of this.queues.values()) queue.setWeight(teamId, weight);
    }
  }

  /**
   * Settles what jobs handed to BullMQ really took, drops from the fair queues jobs that ended
   * while they waited (cancelled, timed out), and re-reads plan weights.
   */
  private async bookkeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.bookkeptAt < BOOKKEEPING_MS) return;
    this.bookkeptAt = now;
    await this.learnWeights([]);
    for (const { jobId, gpuSeconds } of await this.store.ended([...this.charges.keys()])) {
      const charge = this.charges.get(jobId);
      this.charges.delete(jobId);
      if (charge) this.queues.get(charge.model)?.settle(charge.teamId, charge.charged, gpuSeconds);
    }
    if (now - this.sweptAt < SWEEP_MS) return;
    this.sweptAt = now;
    for (const queue of this.queues.values()) {
      const waiting = queue.order().map((job) => job.id);
      const ended = await this.store.notQueued(waiting);
      for (const jobId of ended) queue.remove(jobId);
      await this.store.release(ended);
      if (ended.length > 0) this.orderDirty = true;
    }
  }

  /**
   * Moves the fair queue's next picks into the model's BullMQ queue until about one job waits
   * there per idle worker, plus the buffer. A worker not ready yet (starting) is not idle: its
   * jobs would only wait in BullMQ, out of the fair order, instead of here.
   */
  private async topUp(model: string): Promise<void> {
    const fair = this.queues.get(model);
    if (!fair || fair.size === 0) return;
    const queue = this.work.forModel(model);
    // Follow the queue's events before the first job can become active there.
    await this.work.watch(model);
    const [counts, ready] = await Promise.all([
      queue.getJobCounts('waiting', 'prioritized', 'active'),
      this.workers.ready(model),
    ]);
    const idle = Math.max(0, ready.length - (counts['active'] ?? 0));
    let room =
      idle +
      this.config.env.DISPATCH_BUFFER_PER_MODEL -
      (counts['waiting'] ?? 0) -
      (counts['prioritized'] ?? 0);
    while (room > 0 && fair.size > 0) {
      const picks = [];
      while (picks.length < room) {
        const pick = fair.next();
        if (!pick) break;
        picks.push(pick);
      }
      await queue.addBulk(
        picks.map(({ job }) => ({
          name: JOB_NAMES.generate,
          data: job.payload,
          // No BullMQ priority: the jobs are added in the order just decided.
          opts: generateJobOptions({ id: job.id }),
        })),
      );
      const ids = picks.map(({ job }) => job.id);
      // A job that ended between its admission and now (cancelled, timed out) had its queue entry
      // removed before there was one: remove it now. Whichever looks second finds the entry.
      const ended = new Set((await this.store.ended(ids)).map((job) => job.jobId));
      for (const pick of picks) {
        if (ended.has(pick.job.id)) {
          await queue.remove(pick.job.id).catch(() => 0);
          fair.settle(pick.job.teamId, pick.chargedGpuSeconds, 0);
        } else {
          this.charges.set(pick.job.id, {
            model,
            teamId: pick.job.teamId,
            charged: pick.chargedGpuSeconds,
          });
        }
      }
      // Only now, with the jobs in Redis: a crash before this leaves rows a new dispatcher re-adds
      // (BullMQ ignores an add whose job id exists), never a job in neither place.
      await this.store.release(ids);
      room -= picks.length - ended.size;
      this.orderDirty = true;
    }
  }

  /**
   * Publishes each model's order for the queue views: the jobs already waiting in BullMQ first
   * (a worker takes them next; a handed-back one is at their head), then the fair queue's order.
   */
  private async publishOrder(): Promise<void> {
    if (!this.orderDirty && Date.now() - this.publishedAt < REPUBLISH_MS) return;
    this.orderDirty = false;
    this.publishedAt = Date.now();
    for (const [model, fair] of this.queues) {
      const inBullmq = await this.work.forModel(model).getJobs(['waiting', 'prioritized'], 0, -1, true);
      const head = inBullmq
        .filter((entry) => entry?.id)
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((entry) => ({ id: entry.id as string, teamId: (entry.data as VideoJobPayload).accountId }));
      await this.standings.write(model, [
        ...head,
        ...fair.order().map((job) => ({ id: job.id, teamId: job.teamId })),
      ]);
    }
  }
}
