import type { JobPriorityClass } from '@cineweave/contracts';
import { FairQueue, type FairQueueJob } from './fair-queue.ts';

/**
 * A discrete-event model of one model's workers fed by a dispatcher, to measure what the fair
 * queue gives each team: the fairness simulation test and `bench/fair-queue` both run it. No
 * clock and no randomness of its own (arrivals come from `burstyArrivals`, seeded), so a run is a
 * pure function of its input and a failing assertion can be replayed exactly.
 */

export interface SimulatedTeam {
  readonly id: string;
  readonly weight: number;
}

export interface SimulatedArrival {
  /** Seconds from the start of the run. */
  readonly at: number;
  readonly teamId: string;
  readonly priorityClass: JobPriorityClass;
  /** What the dispatcher is told (and charges) at admission. */
  readonly expectedGpuSeconds: number;
  /** What the job really holds a worker for; estimates are never exact. */
  readonly actualGpuSeconds: number;
}

/** The part of a dispatcher the simulation drives: the fair queue, or the FIFO it replaces. */
export interface SimulatedDispatcher {
  enqueue(job: FairQueueJob): void;
  next(): { job: FairQueueJob; chargedGpuSeconds: number } | undefined;
  settle(teamId: string, chargedGpuSeconds: number, actualGpuSeconds: number): void;
  waitingOf(teamId: string): number;
}

export interface TeamOutcome {
  readonly teamId: string;
  readonly weight: number;
  /** weight / sum of weights: the share of the workers the team is owed while every team waits. */
  readonly targetShare: number;
  /** Worker-seconds spent on the team's jobs while every team had a job waiting, over all teams'. */
  readonly contendedShare: number;
  readonly jobs: number;
  readonly gpuSeconds: number;
  readonly waitP50: number;
  readonly waitP99: number;
}

export interface SimulationOutcome {
  readonly teams: readonly TeamOutcome[];
  readonly workers: number;
  readonly jobs: number;
  /** Seconds during which every team had at least one job waiting. */
  readonly contendedSeconds: number;
  /**
   * Separate stretches of contention. Each starts with the workers busy on jobs picked before it,
   * when not every team waited, so many short spells blur the shares by up to a job per worker.
   */
  readonly contendedSpells: number;
  /** Seconds until the last job ended. */
  readonly makespan: number;
}

export interface SimulationInput {
  readonly teams: readonly SimulatedTeam[];
  readonly workers: number;
  /** Sorted by `at`. */
  readonly arrivals: readonly SimulatedArrival[];
  /** Defaults to a `FairQueue` with the teams' weights. */
  readonly dispatcher?: SimulatedDispatcher;
  /** Told each time a worker takes a job, for tests that follow one job. */
  readonly onStart?: (arrival: SimulatedArrival, startedAt: number) => void;
}

interface Running {
  until: number;
  arrival: SimulatedArrival | undefined;
  charged: number;
}

interface Tally {
  readonly waits: number[];
  /** Worker-seconds on the team's jobs while every team had one waiting. */
  contended: number;
  gpuSeconds: number;
}

export function simulateDispatch(input: SimulationInput): SimulationOutcome {
  const { teams, workers, arrivals } = input;
  const dispatcher = input.dispatcher ?? fairDispatcher(teams);
  const tallies = new Map<string, Tally>(
    teams.map((team) => [team.id, { waits: [], contended: 0, gpuSeconds: 0 }]),
  );
  const tally = (teamId: string): Tally => {
    const found = tallies.get(teamId);
    if (!found) throw new Error(`an arrival names team ${teamId}, which is not in the simulation`);
    return found;
  };
  const slots: Running[] = Array.from({ length: workers }, () => ({
    until: 0,
    arrival: undefined,
    charged: 0,
  }));
  let now = 0;
  let nextArrival = 0;
  let contendedSeconds = 0;
  let contendedSpells = 0;
  let wasContended = false;
  let makespan = 0;

  for (;;) {
    let nextFinish = Infinity;
    for (const slot of slots) if (slot.arrival && slot.until < nextFinish) nextFinish = slot.until;
    const arrivalAt = nextArrival < arrivals.length ? arrivals[nextArrival].at : Infinity;
    const then = Math.min(nextFinish, arrivalAt);
    if (then === Infinity) break;

    // Nothing changes between two events, so the interval is contended or not as a whole.
    if (then > now) {
      const contended = teams.every((team) => dispatcher.waitingOf(team.id) > 0);
      if (contended) {
        if (!wasContended) contendedSpells += 1;
        contendedSeconds += then - now;
        for (const slot of slots) if (slot.arrival) tally(slot.arrival.teamId).contended += then - now;
      }
      wasContended = contended;
    }
    now = then;

    for (const slot of slots) {
      if (slot.arrival && slot.until === now) {
        dispatcher.settle(slot.arrival.teamId, slot.charged, slot.arrival.actualGpuSeconds);
        slot.arrival = undefined;
        makespan = now;
      }
    }
    while (nextArrival < arrivals.length && arrivals[nextArrival].at <= now) {
      const arrival = arrivals[nextArrival];
      dispatcher.enqueue({
        // The arrival's index: the pick leads back to it without a lookup table.
        id: String(nextArrival++),
        teamId: arrival.teamId,
        priorityClass: arrival.priorityClass,
        expectedGpuSeconds: arrival.expectedGpuSeconds,
      });
    }
    // The decision happens here and only here: a worker is free.
    for (const slot of slots) {
      if (slot.arrival) continue;
      const pick = dispatcher.next();
      if (!pick) break;
      const arrival = arrivals[Number(pick.job.id)];
      slot.arrival = arrival;
      slot.charged = pick.chargedGpuSeconds;
      slot.until = now + arrival.actualGpuSeconds;
      const teamTally = tally(arrival.teamId);
      teamTally.waits.push(now - arrival.at);
      teamTally.gpuSeconds += arrival.actualGpuSeconds;
      input.onStart?.(arrival, now);
    }
  }

  const totalWeight = teams.reduce((sum, team) => sum + team.weight, 0);
  const totalContended = [...tallies.values()].reduce((sum, { contended }) => sum + contended, 0);
  return {
    workers,
    jobs: arrivals.length,
    contendedSeconds,
    contendedSpells,
    makespan,
    teams: teams.map((team) => {
      const { waits, contended, gpuSeconds } = tally(team.id);
      const sorted = [...waits].sort((a, b) => a - b);
      return {
        teamId: team.id,
        weight: team.weight,
        targetShare: team.weight / totalWeight,
        contendedShare: totalContended > 0 ? contended / totalContended : 0,
        jobs: sorted.length,
        gpuSeconds,
        waitP50: quantile(sorted, 0.5),
        waitP99: quantile(sorted, 0.99),
      };
    }),
  };
}

export function fairDispatcher(teams: readonly SimulatedTeam[]): SimulatedDispatcher {
  const queue = new FairQueue();
  for (const team of teams) queue.setWeight(team.id, team.weight);
  return queue;
}

/** Today's dispatch, for comparison: one first-in, first-out line for the whole install. */
export function fifoDispatcher(): SimulatedDispatcher {
  const line: FairQueueJob[] = [];
  let head = 0;
  const waiting = new Map<string, number>();
  return {
    enqueue(job) {
      line.push(job);
      waiting.set(job.teamId, (waiting.get(job.teamId) ?? 0) + 1);
    },
    next() {
      if (head === line.length) return undefined;
      const job = line[head++];
      waiting.set(job.teamId, (waiting.get(job.teamId) ?? 0) - 1);
      return { job, chargedGpuSeconds: job.expectedGpuSeconds };
    },
    // Nothing to correct: first in, first out charges nobody.
    settle: () => undefined,
    waitingOf: (teamId) => waiting.get(teamId) ?? 0,
  };
}

/** Nearest-rank quantile of sorted values (0 when there are none). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** mulberry32: small, fast and good enough to make arrivals look random while staying replayable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BurstyTeam extends SimulatedTeam {
  /**
   * Work the team offers, on average, as a fraction of all the workers' time (0.5: half of it).
   * Unrelated to its weight on purpose: a first-in, first-out queue would share the workers in
   * proportion to this, so a fair queue's shares following the weights instead is the evidence.
   */
  readonly offeredLoad: number;
}

export interface BurstyArrivalsOptions {
  readonly seed: number;
  readonly teams: readonly BurstyTeam[];
  readonly workers: number;
  /** Seconds during which teams submit. */
  readonly horizon: number;
  /** Jobs per burst, drawn uniformly from this range. */
  readonly burstSize: readonly [number, number];
  /** Seconds over which one burst's jobs arrive. */
  readonly burstSpread?: number;
}

const SHORT_JOB: readonly [number, number] = [5, 20];
const LONG_JOB: readonly [number, number] = [40, 120];
const LONG_JOB_FRACTION = 0.3;
const MEAN_JOB_SECONDS =
  (1 - LONG_JOB_FRACTION) * ((SHORT_JOB[0] + SHORT_JOB[1]) / 2) +
  LONG_JOB_FRACTION * ((LONG_JOB[0] + LONG_JOB[1]) / 2);

/**
 * Each team alternates between quiet gaps (exponentially distributed) and bursts of jobs arriving
 * close together, like a studio queueing a batch of shots. Jobs are short previews or long renders;
 * the real duration misses the expected one by -20 % to +25 %. With offered loads summing above
 * 1, all teams are waiting much of the time, yet a team offering about its share also drains now
 * and then (which is when not banking credit matters).
 */
export function burstyArrivals(options: BurstyArrivalsOptions): SimulatedArrival[] {
  const random = seededRandom(options.seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  const spread = options.burstSpread ?? 30;
  const meanBurst = (options.burstSize[0] + options.burstSize[1]) / 2;
  const arrivals: SimulatedArrival[] = [];
  for (const team of options.teams) {
    const offeredWorkers = team.offeredLoad * options.workers;
    const meanGap = (meanBurst * MEAN_JOB_SECONDS) / offeredWorkers;
    let at = -Math.log(1 - random()) * meanGap * 0.2;
    while (at < options.horizon) {
      const size = Math.round(between(options.burstSize[0], options.burstSize[1]));
      for (let i = 0; i < size; i++) {
        const expected = random() < LONG_JOB_FRACTION ? between(...LONG_JOB) : between(...SHORT_JOB);
        const roll = random();
        arrivals.push({
          at: at + between(0, spread),
          teamId: team.id,
          priorityClass: roll < 0.1 ? 'high' : roll < 0.8 ? 'normal' : 'batch',
          expectedGpuSeconds: expected,
          actualGpuSeconds: expected * between(0.8, 1.25),
        });
      }
      at += -Math.log(1 - random()) * meanGap;
    }
  }
  // Stable sort, and teams were generated in a fixed order: equal instants stay deterministic.
  return arrivals.sort((a, b) => a.at - b.at);
}

/** The outcome as a markdown table, the form the closing notes and the bench print. */
export function formatOutcome(outcome: SimulationOutcome): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  const seconds = (value: number) => `${value.toFixed(0)} s`;
  const rows = outcome.teams.map((team) =>
    [
      team.teamId,
      String(team.weight),
      percent(team.targetShare),
      percent(team.contendedShare),
      `${team.contendedShare >= team.targetShare ? '+' : ''}${(((team.contendedShare - team.targetShare) / team.targetShare) * 100).toFixed(1)} %`,
      String(team.jobs),
      seconds(team.gpuSeconds),
      seconds(team.waitP50),
      seconds(team.waitP99),
    ].join(' | '),
  );
  return [
    `${outcome.workers} workers, ${outcome.jobs} jobs; all teams waiting for ${seconds(outcome.contendedSeconds)} ` +
      `of ${seconds(outcome.makespan)}, in ${outcome.contendedSpells} spells`,
    '',
    '| team | weight | weight share | GPU share while all wait | off by (relative) | jobs | GPU-seconds | p50 wait | p99 wait |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
