import { JOB_PRIORITY_CLASSES, type JobPriorityClass } from '@cineweave/contracts';
import { type HeapSlot, IndexedMinHeap } from './indexed-min-heap.ts';

/** What the fair queue needs to know of a waiting job; callers extend it with their own fields. */
export interface FairQueueJob {
  readonly id: string;
  readonly teamId: string;
  readonly priorityClass: JobPriorityClass;
  /**
   * GPU-seconds the job is expected to hold a worker (the model's measured throughput times the
   * job's size). The team is charged this when the job starts, because the real figure is only
   * known when it ends and the next decision cannot wait for it; `settle` corrects the difference.
   */
  readonly expectedGpuSeconds: number;
}

/** One decision: the job a free worker takes next, and what its team was charged for it. */
export interface FairQueuePick<J extends FairQueueJob> {
  readonly job: J;
  /** GPU-seconds charged to the team now; hand it back to `settle` with the measured figure. */
  readonly chargedGpuSeconds: number;
  /** The job's virtual start: the queue's virtual time from this pick on. */
  readonly virtualStart: number;
}

export interface FairQueueOptions {
  /** Weight of a team nobody set one for (the plan's weight will come here later). */
  readonly defaultWeight?: number;
}

const CLASS_RANK: Readonly<Record<JobPriorityClass, number>> = Object.fromEntries(
  JOB_PRIORITY_CLASSES.map((name, rank) => [name, rank]),
) as Record<JobPriorityClass, number>;

interface Waiting<J> {
  readonly job: J;
  /** Cancelled while waiting: skipped when it reaches the head (a search to unlink it would cost more). */
  cancelled: boolean;
}

/** A first-in, first-out run with cheap removal from the head and a front door for handed-back jobs. */
class Lane<J> {
  private items: Waiting<J>[] = [];
  private head = 0;

  pushBack(entry: Waiting<J>): void {
    this.items.push(entry);
  }

  pushFront(entry: Waiting<J>): void {
    if (this.head > 0) this.items[--this.head] = entry;
    else this.items.unshift(entry);
  }

  /** The first job not cancelled, taken out; undefined when none is left. */
  shift(): Waiting<J> | undefined {
    while (this.head < this.items.length) {
      const entry = this.items[this.head];
      this.items[this.head++] = undefined as unknown as Waiting<J>;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (!entry.cancelled) return entry;
    }
    return undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  /** The jobs not cancelled, first to last. */
  *live(): Generator<J> {
    for (let i = this.head; i < this.items.length; i++) {
      if (!this.items[i].cancelled) yield this.items[i].job;
    }
  }
}

/** A team's state copied for `FairQueue.order`, which replays picks without touching the queue. */
interface Replay<J> extends HeapSlot {
  readonly jobs: J[];
  readonly weight: number;
  next: number;
  start: number;
  order: number;
}

/**
 * One team's share of a model's queue. `finish` is the virtual time at which the team's service
 * so far ends: each job adds its GPU-seconds divided by the team's weight, so a team of weight 2
 * advances half as fast as one of weight 1 and is picked twice as often.
 */
class TeamQueue<J> implements HeapSlot {
  heapIndex = -1;
  readonly id: string;
  weight: number;
  finish = 0;
  /** While backlogged: the virtual start of the team's next job, the key teams are ordered by. */
  start = 0;
  /** While backlogged: breaks ties in start, in the order teams got their current start. */
  order = 0;
  waiting = 0;
  readonly lanes: Lane<J>[] = JOB_PRIORITY_CLASSES.map(() => new Lane<J>());

  // No parameter properties: node runs bench/ by stripping types, which cannot rewrite them.
  constructor(id: string, weight: number) {
    this.id = id;
    this.weight = weight;
  }

  takeNext(): Waiting<J> {
    for (const lane of this.lanes) {
      const entry = lane.shift();
      if (entry) return entry;
    }
    // `waiting` counts live jobs only, and a team is in the heap only while it is positive.
    throw new Error(`team ${this.id} is backlogged but has no live job`);
  }
}

/**
 * One model's waiting jobs, shared between teams by weighted fair queueing: start-time fair
 * queueing (Goyal, Vin and Cheng, 1996) on expected GPU-seconds, with teams, not jobs, as flows.
 * The caller asks `next()` when a worker of the model becomes free, never earlier: the decision
 * then sees every job admitted up to that moment, which a queue ordered at admission cannot.
 *
 * Invariants, and why they hold:
 * - Virtual time `V` is the virtual start of the last job picked. Every backlogged team's start is
 *   at least `V` (a team becoming backlogged starts at `max(finish, V)`; a picked team's next start
 *   is its finish, above `V`), and a pick takes the smallest start, so `V` never goes back.
 * - A team that was idle does not bank credit: it restarts at `max(finish, V)`, never below `V`.
 *   Without this, a team back from a quiet week would own every worker until its tag caught up.
 * - A team that just became backlogged has start `V`, no more than any other backlogged team. A
 *   team picked since `V` was reached has moved past it; only one not picked since can tie, and
 *   ties go to the earlier start. So however many jobs another team holds, at most one of them goes
 *   before the newcomer: its backlog delays the newcomer by at most one job's duration once a
 *   worker frees up.
 * - Between two continuously backlogged teams i and j, over any run of picks, the GPU-seconds
 *   charged satisfy |W_i / w_i - W_j / w_j| <= c_i / w_i + c_j / w_j, where c is a team's largest
 *   job (the SFQ bound): shares follow the weights to within one job per team, whatever the backlog.
 * - Within a team, classes are strict (`high` before `normal` before `batch`) and each class is
 *   first in, first out; the class never changes what the team is charged or when its turn comes.
 * - Deterministic: the same calls in the same order give the same picks (ties are broken by a
 *   counter, never by time or chance), so a replica rebuilding the queue decides like its peer.
 * - Enqueuing a job already waiting changes nothing: the outbox relay delivers at least once.
 */
export class FairQueue<J extends FairQueueJob = FairQueueJob> {
  private readonly teams = new Map<string, TeamQueue<J>>();
  private readonly waiting = new Map<string, { entry: Waiting<J>; team: TeamQueue<J> }>();
  private readonly backlogged = new IndexedMinHeap<TeamQueue<J>>(
    (a, b) => a.start < b.start || (a.start === b.start && a.order < b.order),
  );
  private readonly defaultWeight: number;
  private virtualNow = 0;
  private orderCounter = 0;

  constructor(options: FairQueueOptions = {}) {
    this.defaultWeight = checkWeight(options.defaultWeight ?? 1);
  }

  /** Jobs waiting, all teams together. */
  get size(): number {
    return this.waiting.size;
  }

  /** The virtual start of the last pick (GPU-seconds per unit of weight). */
  get virtualTime(): number {
    return this.virtualNow;
  }

  /** Takes effect from the team's next charge; what it was charged so far stands. */
  setWeight(teamId: string, weight: number): void {
    this.team(teamId).weight = checkWeight(weight);
  }

  weightOf(teamId: string): number {
    return this.teams.get(teamId)?.weight ?? this.defaultWeight;
  }

  waitingOf(teamId: string): number {
    return this.teams.get(teamId)?.waiting ?? 0;
  }

  has(jobId: string): boolean {
    return this.waiting.has(jobId);
  }

  /**
   * Adds a waiting job; false when it is already waiting. `handedBack` puts it at the head of its
   * class: a job a stopping worker returned was first in line and keeps that place.
   */
  enqueue(job: J, options: { handedBack?: boolean } = {}): boolean {
    if (this.waiting.has(job.id)) return false;
    // A zero charge would let a team take every free worker without its start ever moving.
    if (!(Number.isFinite(job.expectedGpuSeconds) && job.expectedGpuSeconds > 0)) {
      throw new RangeError(`job ${job.id}: expectedGpuSeconds must be a positive number`);
    }
    const rank = CLASS_RANK[job.priorityClass];
    if (rank === undefined)
      throw new RangeError(`job ${job.id}: unknown priority class ${job.priorityClass}`);
    const team = this.team(job.teamId);
    const entry: Waiting<J> = { job, cancelled: false };
    if (options.handedBack) team.lanes[rank].pushFront(entry);
    else team.lanes[rank].pushBack(entry);
    this.waiting.set(job.id, { entry, team });
    team.waiting += 1;
    if (team.waiting === 1) {
      team.start = Math.max(team.finish, this.virtualNow);
      team.order = ++this.orderCounter;
      this.backlogged.push(team);
    }
    return true;
  }

  /** Takes a waiting job out (cancelled, or failed before it ran); false if it was not waiting. */
  remove(jobId: string): boolean {
    const found = this.waiting.get(jobId);
    if (!found) return false;
    this.waiting.delete(jobId);
    found.entry.cancelled = true;
    const { team } = found;
    team.waiting -= 1;
    if (team.waiting === 0) {
      this.backlogged.remove(team);
      for (const lane of team.lanes) lane.clear();
    }
    return true;
  }

  /** The decision, made when a worker of this model is free: the job it takes, or undefined if none waits. */
  next(): FairQueuePick<J> | undefined {
    const team = this.backlogged.peek();
    if (!team) return undefined;
    const { job } = team.takeNext();
    this.waiting.delete(job.id);
    team.waiting -= 1;

    const virtualStart = team.start;
    this.virtualNow = virtualStart;
    team.finish = virtualStart + job.expectedGpuSeconds / team.weight;
    if (team.waiting > 0) {
      team.start = team.finish;
      team.order = ++this.orderCounter;
      this.backlogged.update(team);
    } else {
      this.backlogged.remove(team);
    }
    return { job, chargedGpuSeconds: job.expectedGpuSeconds, virtualStart };
  }

  /**
   * The waiting jobs in the order `next()` would hand them out if nothing else arrived or ended:
   * the picks replayed on a copy, so the queue itself is unchanged. What a waiting job's owner is
   * told about its place in line (the first of the list goes to the next free worker).
   * O(n log t) for n jobs of t teams.
   */
  order(): J[] {
    let counter = this.orderCounter;
    const replay = new IndexedMinHeap<Replay<J>>(
      (a, b) => a.start < b.start || (a.start === b.start && a.order < b.order),
    );
    for (const team of this.teams.values()) {
      if (team.waiting === 0) continue;
      const jobs: J[] = [];
      for (const lane of team.lanes) jobs.push(...lane.live());
      replay.push({
        heapIndex: -1,
        jobs,
        weight: team.weight,
        next: 0,
        start: team.start,
        order: team.order,
      });
    }
    const ordered: J[] = [];
    for (let team = replay.peek(); team; team = replay.peek()) {
      const job = team.jobs[team.next++];
      ordered.push(job);
      if (team.next < team.jobs.length) {
        team.start += job.expectedGpuSeconds / team.weight;
        team.order = ++counter;
        replay.update(team);
      } else {
        replay.remove(team);
      }
    }
    return ordered;
  }

  /**
   * Corrects a team's charge once a job's real GPU-seconds are known (it ended, or was handed
   * back after part of a run): expectations that are always low would otherwise let a team run
   * longer jobs than its weight pays for. A refund never takes a team below the virtual time.
   */
  settle(teamId: string, chargedGpuSeconds: number, actualGpuSeconds: number): void {
    if (!(Number.isFinite(actualGpuSeconds) && actualGpuSeconds >= 0)) {
      throw new RangeError('actualGpuSeconds must be a number of at least 0');
    }
    const team = this.team(teamId);
    team.finish += (actualGpuSeconds - chargedGpuSeconds) / team.weight;
    if (this.backlogged.has(team)) {
      team.start = Math.max(team.finish, this.virtualNow);
      // A fresh place among equal starts: a refund that brings this team down to V must not let it
      // win a tie against a team that became backlogged before the refund came in.
      team.order = ++this.orderCounter;
      this.backlogged.update(team);
    }
  }

  private team(teamId: string): TeamQueue<J> {
    let team = this.teams.get(teamId);
    if (!team) {
      team = new TeamQueue<J>(teamId, this.defaultWeight);
      this.teams.set(teamId, team);
    }
    return team;
  }
}

function checkWeight(weight: number): number {
  if (!(Number.isFinite(weight) && weight > 0))
    throw new RangeError(`weight must be a positive number, got ${weight}`);
  return weight;
}
