import type { WorkerHeartbeat } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { durationText, queueStandingOf } from './queue-standing.ts';

const beat = (workerId: string, model: string, ready: boolean, reason?: string): WorkerHeartbeat => ({
  workerId,
  model,
  engine: 'onnx',
  ready,
  ...(reason && { reason }),
  limits: { maxResolution: '640x352', maxFrames: 49 },
  at: new Date().toISOString(),
});

const place = (position: number, teamJobsAhead = 0, teamsAhead = 0) => ({
  position,
  teamJobsAhead,
  teamsAhead,
});

describe('queueStandingOf', () => {
  it('should say ModelUnavailable when no worker of the model is alive, whatever other models have', () => {
    expect(queueStandingOf('wan2.2-ti2v-5b', place(0), [beat('w1', 'wan2.2-tiny-test', true)], 240)).toEqual({
      position: 0,
      teamJobsAhead: 0,
      teamsAhead: 0,
      reason: 'ModelUnavailable',
      message:
        "It is next; no worker of wan2.2-ti2v-5b is running. The job waits for one (a WorkerPool of this model scales up when work waits); it is never given to another model's worker.",
      etaSeconds: null,
    });
  });

  it('should say ScalingUp with the starting worker’s own reason while none of the model is ready', () => {
    const standing = queueStandingOf('m', place(1, 1), [beat('w1', 'm', false, 'loading the model')], 240);
    expect(standing).toEqual({
      position: 1,
      teamJobsAhead: 1,
      teamsAhead: 0,
      reason: 'ScalingUp',
      message: "1 job is ahead of it (1 of your team's); a worker of m is starting (loading the model).",
      etaSeconds: null,
    });
  });

  it('should say WaitingForWorker once one worker of the model is ready, with the rounds its ready workers need', () => {
    const standing = queueStandingOf(
      'm',
      place(3, 1, 2),
      [beat('w1', 'm', false), beat('w2', 'm', true), beat('w3', 'm', true)],
      240,
    );
    // Three ahead on two workers: the first two, then the third beside this one: 2 x 240 s.
    expect(standing).toEqual({
      position: 3,
      teamJobsAhead: 1,
      teamsAhead: 2,
      reason: 'WaitingForWorker',
      message:
        "3 jobs are ahead of it (1 of your team's, 2 of 2 other teams); 2 ready workers of m will take it as soon as one is free. Done in about 8 min (estimated from recent jobs).",
      etaSeconds: 480,
    });
    expect(queueStandingOf('m', place(0), [beat('w2', 'm', true)], 42.4).etaSeconds).toBe(42);
  });

  it('should name other teams only as a count', () => {
    expect(queueStandingOf('m', place(5, 0, 1), [beat('w1', 'm', true)], 60).message).toMatch(
      /^5 jobs are ahead of it \(5 of 1 other team\);/,
    );
  });

  it('should say durations as precisely as an estimate deserves', () => {
    expect([0.2, 45, 89, 240, 3600, 7500].map(durationText)).toEqual([
      '1 s',
      '45 s',
      '1 min',
      '4 min',
      '1 h',
      '2 h 5 min',
    ]);
  });
});
