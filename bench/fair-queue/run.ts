// Fair-queue run: the weighted-fair dispatcher of services/api/src/modules/dispatch at sizes the
// unit tests skip. Prints, per scenario, each team's share of GPU time while every team waits
// against its weight share, with p50/p99 waits, next to first in, first out on the same arrivals;
// then the cost of one decision with 10,000 jobs of 50 teams waiting.
//
//   node --conditions=@cineweave/source bench/fair-queue/run.ts
//   node --conditions=@cineweave/source bench/fair-queue/run.ts --seed 7 --waiting 100000 --teams 500
//
// Pure computation: no Postgres, no Redis, no network. One core.
import { parseArgs } from 'node:util';
import { FairQueue } from '../../services/api/src/modules/dispatch/fair-queue.ts';
import {
  type BurstyTeam,
  burstyArrivals,
  fifoDispatcher,
  formatOutcome,
  seededRandom,
  simulateDispatch,
} from '../../services/api/src/modules/dispatch/fair-queue-simulator.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '19' },
    waiting: { type: 'string', default: '10000' },
    teams: { type: 'string', default: '50' },
    picks: { type: 'string', default: '200000' },
  },
});
const seed = Number(values.seed);

// Offered work 1.6 times what the workers can do, not in proportion to the weights: every team
// waits most of the time, and the shares while all wait must follow the weights.
const overloaded: readonly BurstyTeam[] = [
  { id: 'team-a', weight: 1, offeredLoad: 0.6 },
  { id: 'team-b', weight: 2, offeredLoad: 0.45 },
  { id: 'team-c', weight: 3, offeredLoad: 0.55 },
];
// Near capacity (0.95 in all) with one team offering three times its share: the others offer
// less than theirs, so the point is their waits, which first in, first out ties to team-a's bursts.
const noisyNeighbour: readonly BurstyTeam[] = [
  { id: 'team-a', weight: 1, offeredLoad: 0.5 },
  { id: 'team-b', weight: 2, offeredLoad: 0.25 },
  { id: 'team-c', weight: 3, offeredLoad: 0.2 },
];
const scenarios = [
  {
    title: '16 workers, 12 h of bursts of 10-80 jobs, offered 1.6x',
    teams: overloaded,
    workers: 16,
    hours: 12,
    burstSize: [10, 80] as const,
  },
  {
    title: '64 workers, 24 h of bursts of 50-500 jobs, offered 1.6x',
    teams: overloaded,
    workers: 64,
    hours: 24,
    burstSize: [50, 500] as const,
  },
  {
    title: '16 workers, 12 h of bursts of 10-80 jobs, offered 0.95x, team-a at 3x its share',
    teams: noisyNeighbour,
    workers: 16,
    hours: 12,
    burstSize: [10, 80] as const,
  },
];

for (const scenario of scenarios) {
  const { teams, workers } = scenario;
  const arrivals = burstyArrivals({
    seed,
    teams,
    workers,
    horizon: scenario.hours * 3600,
    burstSize: scenario.burstSize,
  });
  const started = performance.now();
  const fair = simulateDispatch({ teams, workers, arrivals });
  const elapsed = performance.now() - started;
  const fifo = simulateDispatch({ teams, workers, arrivals, dispatcher: fifoDispatcher() });
  const worst = Math.max(
    ...fair.teams.map((team) => Math.abs(team.contendedShare - team.targetShare) / team.targetShare),
  );
  console.log(`\n## ${scenario.title} (seed ${seed})\n`);
  console.log(`Weighted fair queueing (simulated in ${elapsed.toFixed(0)} ms):\n`);
  console.log(formatOutcome(fair));
  const spellMinutes = fair.contendedSeconds / fair.contendedSpells / 60;
  console.log(
    `\nWorst share off its weight share: ${(worst * 100).toFixed(1)} % (relative), ` +
      `over ${fair.contendedSpells} spells of ${spellMinutes.toFixed(0)} min on average` +
      (spellMinutes < 10
        ? ': spells this short blur the shares by up to a job per worker (see README).'
        : '.'),
  );
  console.log('\nFirst in, first out, same arrivals:\n');
  console.log(formatOutcome(fifo));
}

// Decision cost. A steady state: every pick is followed by one new job and the settlement of the
// picked one, so the queue holds `waiting` jobs throughout, spread over `teams` teams with weights
// 1-5 and all three classes. Timed separately: pick alone, draining the full queue to empty.
const waiting = Number(values.waiting);
const teamCount = Number(values.teams);
const picks = Number(values.picks);
const random = seededRandom(seed);
const classes = ['high', 'normal', 'batch'] as const;
let nextId = 0;
const newJob = () => ({
  id: String(nextId++),
  teamId: `team-${Math.floor(random() * teamCount)}`,
  priorityClass: classes[Math.floor(random() * 3)],
  expectedGpuSeconds: 5 + random() * 115,
});

function filledQueue(): FairQueue {
  const queue = new FairQueue();
  for (let team = 0; team < teamCount; team++) queue.setWeight(`team-${team}`, 1 + (team % 5));
  for (let n = 0; n < waiting; n++) queue.enqueue(newJob());
  return queue;
}

const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)];
const steady: number[] = [];
const drainOnly: number[] = [];
for (let round = 0; round < 5; round++) {
  const queue = filledQueue();
  let started = performance.now();
  for (let n = 0; n < picks; n++) {
    const pick = queue.next();
    if (!pick) throw new Error('the queue ran dry');
    queue.settle(pick.job.teamId, pick.chargedGpuSeconds, pick.chargedGpuSeconds * (0.8 + 0.45 * random()));
    queue.enqueue(newJob());
  }
  steady.push(((performance.now() - started) * 1000) / picks);
  if (queue.size !== waiting) throw new Error(`expected ${waiting} waiting, found ${queue.size}`);

  started = performance.now();
  let drained = 0;
  while (queue.next()) drained += 1;
  drainOnly.push(((performance.now() - started) * 1000) / drained);
}
console.log(`\n## Decision cost (${waiting} waiting jobs, ${teamCount} teams, median of 5 rounds)\n`);
console.log(`pick + settle + enqueue, steady at ${waiting} waiting: ${median(steady).toFixed(2)} µs/pick`);
console.log(`pick alone, draining ${waiting} to 0: ${median(drainOnly).toFixed(2)} µs/pick`);
