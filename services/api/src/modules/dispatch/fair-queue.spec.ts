import type { JobPriorityClass } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { FairQueue, type FairQueueJob, type FairQueuePick } from './fair-queue.ts';
import {
  type SimulatedArrival,
  type SimulatedDispatcher,
  fifoDispatcher,
  seededRandom,
  simulateDispatch,
} from './fair-queue-simulator.ts';

function job(
  id: string,
  teamId: string,
  priorityClass: JobPriorityClass = 'normal',
  seconds = 60,
): FairQueueJob {
  return { id, teamId, priorityClass, expectedGpuSeconds: seconds };
}

/** Picks until the queue is empty (or `limit` picks), returning the job ids in order. */
function drain(queue: FairQueue, limit = Infinity): string[] {
  const ids: string[] = [];
  while (ids.length < limit) {
    const pick = queue.next();
    if (!pick) break;
    ids.push(pick.job.id);
  }
  return ids;
}

/** The next pick, which the test knows exists. */
function take(queue: FairQueue): FairQueuePick<FairQueueJob> {
  const pick = queue.next();
  if (!pick) throw new Error('the queue was empty');
  return pick;
}

/** Enqueues `count` jobs for a team, ids `<team>-<n>`. */
function backlog(queue: FairQueue, teamId: string, count: number, seconds = 60): void {
  for (let n = 0; n < count; n++) queue.enqueue(job(`${teamId}-${n}`, teamId, 'normal', seconds));
}

describe(FairQueue.name, () => {
  describe('within a team', () => {
    it('should hand out a team’s jobs first in, first out when they share a class', () => {
      const queue = new FairQueue();
      for (const id of ['j1', 'j2', 'j3', 'j4', 'j5']) queue.enqueue(job(id, 'studio'));

      expect(drain(queue)).toEqual(['j1', 'j2', 'j3', 'j4', 'j5']);
    });

    it('should serve high before normal before batch, each first in, first out', () => {
      const queue = new FairQueue();
      queue.enqueue(job('batch-1', 'studio', 'batch'));
      queue.enqueue(job('normal-1', 'studio', 'normal'));
      queue.enqueue(job('high-1', 'studio', 'high'));
      queue.enqueue(job('batch-2', 'studio', 'batch'));
      queue.enqueue(job('normal-2', 'studio', 'normal'));
      queue.enqueue(job('high-2', 'studio', 'high'));

      expect(drain(queue)).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2', 'batch-1', 'batch-2']);
    });

    it('should let a high job that arrives later pass the team’s waiting normal jobs at the next pick', () => {
      const queue = new FairQueue();
      backlog(queue, 'studio', 3);
      expect(queue.next()?.job.id).toBe('studio-0');

      queue.enqueue(job('urgent', 'studio', 'high'));

      expect(drain(queue)).toEqual(['urgent', 'studio-1', 'studio-2']);
    });

    it('should not let a team’s high class take turns from another team', () => {
      const queue = new FairQueue();
      for (let n = 0; n < 4; n++) queue.enqueue(job(`loud-${n}`, 'loud', 'high'));
      for (let n = 0; n < 4; n++) queue.enqueue(job(`calm-${n}`, 'calm', 'batch'));

      expect(drain(queue)).toEqual([
        'loud-0',
        'calm-0',
        'loud-1',
        'calm-1',
        'loud-2',
        'calm-2',
        'loud-3',
        'calm-3',
      ]);
    });

    it('should put a handed-back job at the head of its class', () => {
      const queue = new FairQueue();
      backlog(queue, 'studio', 3);
      const taken = take(queue);

      queue.enqueue(taken.job, { handedBack: true });

      expect(drain(queue)).toEqual(['studio-0', 'studio-1', 'studio-2']);
    });
  });

  describe('between teams', () => {
    it('should give each team GPU-seconds in proportion to its weight when jobs are alike', () => {
      const queue = new FairQueue();
      queue.setWeight('small', 1);
      queue.setWeight('large', 3);
      backlog(queue, 'small', 400);
      backlog(queue, 'large', 400);

      const picks = drain(queue, 400);

      const small = picks.filter((id) => id.startsWith('small')).length;
      // The SFQ bound with one job per team: 100 and 300, give or take one job.
      expect(picks).toHaveLength(400);
      expect(Math.abs(small - 100)).toBeLessThanOrEqual(1);
    });

    it('should keep two backlogged teams within the SFQ bound after every pick, whatever the job sizes', () => {
      const random = seededRandom(16);
      const weights: Record<string, number> = { a: 1, b: 2.5 };
      const queue = new FairQueue();
      let largest = 0;
      for (const teamId of Object.keys(weights)) {
        queue.setWeight(teamId, weights[teamId]);
        for (let n = 0; n < 600; n++) {
          const seconds = 5 + 115 * random();
          largest = Math.max(largest, seconds);
          queue.enqueue(job(`${teamId}-${n}`, teamId, 'normal', seconds));
        }
      }

      // Stop while both are still backlogged: the bound is about contended service.
      const charged: Record<string, number> = { a: 0, b: 0 };
      for (let pick = 0; pick < 600; pick++) {
        const { job: picked, chargedGpuSeconds } = take(queue);
        charged[picked.teamId] += chargedGpuSeconds;
        const gap = Math.abs(charged.a / weights.a - charged.b / weights.b);
        expect(gap).toBeLessThanOrEqual(largest / weights.a + largest / weights.b);
      }
      expect(queue.waitingOf('a')).toBeGreaterThan(0);
      expect(queue.waitingOf('b')).toBeGreaterThan(0);
    });

    it('should charge by GPU-seconds, so a team of long jobs gets fewer of them', () => {
      const queue = new FairQueue();
      backlog(queue, 'renders', 100, 120);
      backlog(queue, 'previews', 100, 10);

      const picks = drain(queue, 26);

      // 120 s against 12 x 10 s: two renders take as long as 24 previews.
      expect(picks.filter((id) => id.startsWith('renders'))).toHaveLength(2);
    });

    it('should not let a team that was idle bank credit: it alternates with the busy team on return', () => {
      const queue = new FairQueue();
      backlog(queue, 'busy', 300);
      expect(drain(queue, 100)).toHaveLength(100);
      const virtualBeforeReturn = queue.virtualTime;

      backlog(queue, 'returning', 50);
      const picks = drain(queue, 10);

      // With credit banked for 100 idle jobs, `returning` would take the next 50 picks.
      expect(picks).toEqual([
        'returning-0',
        'busy-100',
        'returning-1',
        'busy-101',
        'returning-2',
        'busy-102',
        'returning-3',
        'busy-103',
        'returning-4',
        'busy-104',
      ]);
      expect(queue.virtualTime).toBeGreaterThanOrEqual(virtualBeforeReturn);
    });

    it('should not bank a refund below the virtual time either', () => {
      const queue = new FairQueue();
      backlog(queue, 'busy', 300);
      queue.enqueue(job('once', 'lucky'));
      drain(queue, 50);
      // `lucky` ran one job that took far less than charged, then went quiet.
      queue.settle('lucky', 60, 0);
      queue.settle('lucky', 6000, 0);

      backlog(queue, 'lucky', 20);

      expect(drain(queue, 4)).toEqual(['lucky-0', 'busy-49', 'lucky-1', 'busy-50']);
    });
  });

  describe('the bound on one job behind another team’s 500', () => {
    const flood = (duration: (n: number) => number, priorityClass: JobPriorityClass = 'normal') =>
      Array.from({ length: 500 }, (_, n) => ({
        at: 0,
        teamId: 'flood',
        priorityClass,
        expectedGpuSeconds: duration(n),
        actualGpuSeconds: duration(n),
      }));
    const single = (at: number, priorityClass: JobPriorityClass = 'normal') => ({
      at,
      teamId: 'single',
      priorityClass,
      expectedGpuSeconds: 30,
      actualGpuSeconds: 30,
    });

    /** When the single job started, and what the flood job on the worker it got was running. */
    function run(
      workers: number,
      arrivals: SimulatedArrival[],
      weights: { flood: number; single: number },
      dispatcher?: SimulatedDispatcher,
    ) {
      const teams = [
        { id: 'flood', weight: weights.flood },
        { id: 'single', weight: weights.single },
      ];
      let startedAt = NaN;
      simulateDispatch({
        teams,
        workers,
        arrivals,
        dispatcher,
        onStart: (arrival, at) => {
          if (arrival.teamId === 'single') startedAt = at;
        },
      });
      return startedAt;
    }

    // One worker takes the flood's first job at t = 0 and the single job arrives in the same
    // instant (after the flood, so it loses the tie): the worst case. It must wait exactly one job.
    it.each([
      { flood: 1, single: 1, floodClass: 'normal', singleClass: 'normal' },
      { flood: 10, single: 1, floodClass: 'high', singleClass: 'batch' },
      { flood: 1, single: 10, floodClass: 'batch', singleClass: 'high' },
    ] as const)(
      'should start the single job after exactly one job’s duration in the worst case (weights $flood/$single, classes $floodClass/$singleClass)',
      ({ flood: floodWeight, single: singleWeight, floodClass, singleClass }) => {
        const duration = 90;
        const arrivals = [...flood(() => duration, floodClass), single(0, singleClass)];

        const startedAt = run(1, arrivals, { flood: floodWeight, single: singleWeight });

        expect(startedAt - 0).toBe(duration);
        // First in, first out across the install: behind all 500.
        expect(run(1, arrivals, { flood: 1, single: 1 }, fifoDispatcher())).toBe(500 * duration);
      },
    );

    it('should start it when the running job ends if it arrives mid-job', () => {
      const arrivals = [...flood(() => 90), single(1000.5)];

      const startedAt = run(1, arrivals, { flood: 1, single: 1 });

      // The job running at 1000.5 is the twelfth, started at 990 and ending at 1080.
      expect(startedAt).toBe(1080);
      expect(startedAt - 1000.5).toBeLessThanOrEqual(90);
    });

    it('should hand it to the first of several busy workers to free up', () => {
      // Three workers run flood jobs of 30, 60 and 90 s from t = 0; the single job arrives at t = 10.
      const arrivals = [...flood((n) => [30, 60, 90][n % 3]), single(10)];

      const startedAt = run(3, arrivals, { flood: 1, single: 1 });

      expect(startedAt).toBe(30);
      expect(startedAt - 10).toBeLessThanOrEqual(30);
    });
  });

  describe('bookkeeping', () => {
    it('should ignore a job enqueued twice, as the at-least-once relay may do', () => {
      const queue = new FairQueue();

      expect(queue.enqueue(job('j1', 'studio'))).toBe(true);
      expect(queue.enqueue(job('j1', 'studio'))).toBe(false);

      expect(queue.size).toBe(1);
      expect(drain(queue)).toEqual(['j1']);
    });

    it('should never hand out a removed job and forget a team whose last job was removed', () => {
      const queue = new FairQueue();
      backlog(queue, 'a', 3);
      queue.enqueue(job('b-0', 'b'));

      expect(queue.remove('a-1')).toBe(true);
      expect(queue.remove('b-0')).toBe(true);
      expect(queue.remove('b-0')).toBe(false);

      expect(queue.waitingOf('b')).toBe(0);
      expect(drain(queue)).toEqual(['a-0', 'a-2']);
      expect(queue.size).toBe(0);
      expect(queue.next()).toBeUndefined();
    });

    it('should charge a team the measured GPU-seconds once settled', () => {
      const queue = new FairQueue();
      backlog(queue, 'underestimated', 50, 10);
      backlog(queue, 'accurate', 50, 10);
      const first = take(queue);
      expect(first.job.teamId).toBe('underestimated');

      // It ran for 100 s, not 10: the other team is owed nine more jobs before the next turn.
      queue.settle('underestimated', first.chargedGpuSeconds, 100);

      expect(drain(queue, 10).filter((id) => id.startsWith('accurate'))).toHaveLength(10);
    });

    it('should decide the same way twice from the same calls', () => {
      const run = () => {
        const random = seededRandom(42);
        const queue = new FairQueue();
        const picks: string[] = [];
        for (let step = 0; step < 2000; step++) {
          const teamId = `team-${Math.floor(random() * 7)}`;
          queue.setWeight(teamId, 1 + Math.floor(random() * 4));
          queue.enqueue(
            job(`job-${step}`, teamId, (['high', 'normal', 'batch'] as const)[step % 3], 1 + random() * 99),
          );
          if (random() < 0.5) picks.push(take(queue).job.id);
        }
        return picks;
      };

      expect(run()).toEqual(run());
    });

    it.each([0, -1, Number.NaN, Infinity])('should refuse a weight of %s', (weight) => {
      expect(() => new FairQueue().setWeight('studio', weight)).toThrow(RangeError);
    });

    it.each([0, -5, Number.NaN])('should refuse a job expected to take %s GPU-seconds', (seconds) => {
      expect(() => new FairQueue().enqueue(job('j1', 'studio', 'normal', seconds))).toThrow(RangeError);
    });
  });

  describe('order', () => {
    it('should list the waiting jobs in the order next() hands them out, leaving the queue unchanged', () => {
      const random = seededRandom(19);
      const queue = new FairQueue();
      queue.setWeight('team-b', 2);
      queue.setWeight('team-c', 3);
      for (let step = 0; step < 300; step++) {
        const teamId = ['team-a', 'team-b', 'team-c'][Math.floor(random() * 3)];
        queue.enqueue(
          job(`job-${step}`, teamId, (['high', 'normal', 'batch'] as const)[step % 3], 1 + random() * 99),
        );
        if (step % 7 === 0) queue.remove(`job-${step - 3}`);
        if (random() < 0.3) take(queue);
      }
      const settledTeam = take(queue);
      queue.settle(settledTeam.job.teamId, settledTeam.chargedGpuSeconds, 500);
      const size = queue.size;

      const previewed = queue.order().map((waiting) => waiting.id);

      expect(queue.size).toBe(size);
      expect(previewed).toHaveLength(size);
      expect(previewed).toEqual(drain(queue));
    });
  });
});
