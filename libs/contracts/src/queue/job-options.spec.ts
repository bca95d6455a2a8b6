import { describe, expect, it } from 'vitest';
import { GENERATE_ATTEMPTS, generateJobOptions, resultJobOptions } from './job-options.ts';
import { resultJobId } from './queues.ts';

describe(generateJobOptions.name, () => {
  it('should use the job id as BullMQ id when enqueuing', () => {
    const options = generateJobOptions({ id: '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f', priority: 50 });
    expect(options.jobId).toBe('5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f');
    expect(options.attempts).toBe(GENERATE_ATTEMPTS);
  });

  it('should run higher VideoJob priorities first when mapped to BullMQ priorities', () => {
    const high = generateJobOptions({ id: 'a', priority: 100 }).priority!;
    const low = generateJobOptions({ id: 'b', priority: 0 }).priority!;
    expect(high).toBeLessThan(low);
    expect(high).toBeGreaterThan(0);
  });

  it('should leave BullMQ’s priority out when the dispatcher already ordered the jobs', () => {
    expect(generateJobOptions({ id: 'a' })).not.toHaveProperty('priority');
  });
});

describe(resultJobOptions.name, () => {
  it('should give each attempt its own result id when a result is sent', () => {
    const result = { jobId: '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f', attemptToken: 'a1' };
    expect(resultJobOptions(result).jobId).toBe(resultJobId(result.jobId, result.attemptToken));
  });
});
