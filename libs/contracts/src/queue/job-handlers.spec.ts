import { describe, expect, it } from 'vitest';
import { jobHandlers } from './job-handlers.ts';
import { JOB_NAMES, QUEUE_JOB_NAMES, QUEUE_NAMES } from './queues.ts';

const results = QUEUE_NAMES.videoResults;
const names = QUEUE_JOB_NAMES[results];

describe(jobHandlers.name, () => {
  it('should map each job name to its handler when every name has exactly one', () => {
    const settle = () => 'settled';
    const handlers = jobHandlers(results, names, [[JOB_NAMES.result, settle]]);
    expect([...handlers.keys()]).toEqual([JOB_NAMES.result]);
    expect(handlers.get(JOB_NAMES.result)).toBe(settle);
  });

  it('should fail when a job name of the queue has no handler', () => {
    expect(() => jobHandlers(results, names, [])).toThrow(
      `Queue ${results}: no handler for job "${JOB_NAMES.result}"`,
    );
  });

  it('should fail when two handlers claim one job name', () => {
    expect(() =>
      jobHandlers(results, names, [
        [JOB_NAMES.result, () => 1],
        [JOB_NAMES.result, () => 2],
      ]),
    ).toThrow(`two handlers claim job "${JOB_NAMES.result}"`);
  });

  it('should fail when a handler claims a job name the queue does not carry', () => {
    expect(() =>
      jobHandlers(results, names, [
        [JOB_NAMES.result, () => 1],
        [JOB_NAMES.generate, () => 2],
      ]),
    ).toThrow(`a handler claims job "${JOB_NAMES.generate}", which the queue does not carry`);
  });

  it('should give the work queues exactly the generate job', () => {
    expect(QUEUE_JOB_NAMES[QUEUE_NAMES.videoJobs]).toEqual([JOB_NAMES.generate]);
  });
});
