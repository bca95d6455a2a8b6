import { describe, expect, it } from 'vitest';
import { JobStopped } from '../engine/engine.ts';
import { JobStop } from './job-stop.ts';

describe(JobStop.name, () => {
  it('should abort its signal with a cancel found by the background poll', async () => {
    let cancelled = false;
    const stop = new JobStop({
      isCancelled: async () => cancelled,
      shutdownDeadline: () => null,
      pollMs: 20,
    }).start();
    const aborted = new Promise<unknown>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(stop.signal.reason)),
    );
    await stop.check();
    cancelled = true;
    const reason = await aborted;
    stop.dispose();
    expect(reason).toBeInstanceOf(JobStopped);
    expect(reason).toMatchObject({ why: 'cancelled' });
    await expect(stop.check()).rejects.toMatchObject({ why: 'cancelled' });
  });

  it('should say shutdown once the grace period is over', async () => {
    const stop = new JobStop({
      isCancelled: async () => false,
      shutdownDeadline: () => Date.now() - 1,
      pollMs: 1000,
    });
    await expect(stop.check()).rejects.toMatchObject({ why: 'shutdown' });
    expect(stop.signal.aborted).toBe(true);
  });

  it('should let a failed look through to the caller of check, but not abort', async () => {
    const stop = new JobStop({
      isCancelled: () => Promise.reject(new Error('Redis is away')),
      shutdownDeadline: () => null,
      pollMs: 1000,
    });
    await expect(stop.check()).rejects.toThrow('Redis is away');
    expect(stop.signal.aborted).toBe(false);
  });
});
