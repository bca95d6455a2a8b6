import type { JobProgress, JobStage } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import { JobProgressTracker } from './job-progress.ts';

function tracker(plan: [JobStage, number][], steps: number) {
  let clock = 0;
  const reports: JobProgress[] = [];
  const errors: unknown[] = [];
  const progress = new JobProgressTracker({
    plan,
    steps,
    report: async (update) => void reports.push(update),
    onReportError: (error) => void errors.push(error),
    minIntervalMs: 1000,
    now: () => clock,
  });
  return { progress, reports, errors, advance: (ms: number) => (clock += ms) };
}

describe(JobProgressTracker.name, () => {
  it('should keep counting denoising steps and carry on past them through decode, encode and upload', async () => {
    const { progress, reports, advance } = tracker(
      [
        ['denoise', 80],
        ['decode', 10],
        ['encode', 5],
        ['upload', 5],
      ],
      4,
    );
    for (let step = 1; step <= 4; step += 1) {
      advance(1000);
      progress.update('denoise', step, 4);
    }
    advance(500);
    progress.update('decode', 5, 9);
    progress.update('encode', 1, 1);
    progress.update('upload', 2, 2);
    await progress.flush();

    expect(reports.map((r) => [r.step, r.totalSteps, r.percent])).toEqual([
      [1, 4, 20],
      [2, 4, 40],
      [3, 4, 60],
      [4, 4, 80],
      [4, 4, 85.6],
      [4, 4, 95],
      [4, 4, 100],
    ]);
    // Each report names its stage, so a client can say "Encoding…" rather than "100 %".
    expect(reports.map((r) => r.stage)).toEqual([
      'denoise',
      'denoise',
      'denoise',
      'denoise',
      'decode',
      'encode',
      'upload',
    ]);
    // 1 s per 20 %: the ETA follows the whole job, not the steps alone.
    expect(reports[0].etaSeconds).toBe(4);
    expect(reports.at(-1)?.etaSeconds).toBe(0);
  });

  it('should send at most one report a second within a stage, and every finished stage', async () => {
    const { progress, reports, advance } = tracker([['generate', 1]], 50);
    for (let percent = 1; percent <= 100; percent += 1) {
      advance(100);
      progress.update('generate', percent, 100);
    }
    await progress.flush();
    // The first report, then a step every 2 %: each is reported; the last one at 100 %.
    expect(reports.map((r) => r.step)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    expect(reports.at(-1)).toMatchObject({ step: 50, percent: 100 });
  });

  it('should throttle a stage that has no steps', async () => {
    const { progress, reports, advance } = tracker([['download', 1]], 10);
    for (let part = 1; part <= 20; part += 1) {
      advance(100);
      progress.update('download', part, 20);
    }
    await progress.flush();
    expect(reports.map((r) => r.percent)).toEqual([5, 55, 100]);
  });

  it('should go on when a report cannot be sent', async () => {
    const errors: unknown[] = [];
    const progress = new JobProgressTracker({
      plan: [['denoise', 1]],
      steps: 2,
      report: () => Promise.reject(new Error('Redis is away')),
      onReportError: (error) => void errors.push(error),
    });
    progress.update('denoise', 1, 2);
    progress.update('denoise', 2, 2);
    await progress.flush();
    expect(errors).toHaveLength(2);
  });
});

describe(`${JobProgressTracker.name} stage starts`, () => {
  it('should report a stage the moment it starts, with an ETA that still counts what is left', async () => {
    const { progress, reports, advance } = tracker(
      [
        ['denoise', 60],
        ['encode', 10],
        ['sign', 10],
        ['upload', 20],
      ],
      2,
    );
    advance(3000);
    progress.update('denoise', 2, 2);
    advance(100);
    progress.update('encode', 0, 1);
    advance(1000);
    progress.update('encode', 1, 1);
    progress.update('sign', 0, 1);
    advance(400);
    progress.update('upload', 0, 2);
    await progress.flush();
    expect(reports.map((r) => [r.stage, r.percent])).toEqual([
      ['denoise', 60],
      ['encode', 60],
      ['encode', 70],
      ['sign', 70],
      ['upload', 80],
    ]);
    // At the start of upload 80 % is done after 4.5 s: about a second is left, not zero.
    expect(reports.at(-1)?.etaSeconds).toBeCloseTo(1.1, 1);
  });
});
