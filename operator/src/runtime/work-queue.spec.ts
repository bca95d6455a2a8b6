import { afterEach, describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const until = async (check: () => boolean, ms = 2_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe(WorkQueue.name, () => {
  let queue: WorkQueue | undefined;
  afterEach(async () => queue?.stop());

  it('should never reconcile one key twice at once when it is added during a reconcile', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const gate = deferred();
    queue = new WorkQueue({
      name: 'test',
      concurrency: 4,
      reconcile: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        runs++;
        if (runs === 1) await gate.promise;
        inFlight--;
      },
    });
    queue.start();
    queue.add('ns/a');
    await until(() => runs === 1);
    queue.add('ns/a');
    queue.add('ns/a');
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(1);
    gate.resolve();
    await until(() => runs === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toBe(2);
    expect(maxInFlight).toBe(1);
  });

  it('should collapse adds of a waiting key into one reconcile when workers are busy', async () => {
    const seen: string[] = [];
    const gate = deferred();
    queue = new WorkQueue({
      name: 'test',
      concurrency: 1,
      reconcile: async (key) => {
        seen.push(key);
        if (key === 'ns/block') await gate.promise;
      },
    });
    queue.start();
    queue.add('ns/block');
    await until(() => seen.length === 1);
    queue.add('ns/b');
    queue.add('ns/b');
    queue.add('ns/c');
    expect(queue.depth).toBe(2);
    gate.resolve();
    await until(() => seen.length === 3);
    expect(seen).toEqual(['ns/block', 'ns/b', 'ns/c']);
  });

  it('should retry a failing key with growing delays when reconcile throws', async () => {
    const times: number[] = [];
    queue = new WorkQueue({
      name: 'test',
      concurrency: 1,
      retryBaseMs: 20,
      retryMaxMs: 1_000,
      reconcile: async () => {
        times.push(Date.now());
        if (times.length < 4) throw new Error('API down');
      },
    });
    queue.start();
    queue.add('ns/x');
    await until(() => times.length === 4);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
  });

  it('should reconcile again after requeueAfterMs when the reconcile asks for it', async () => {
    let runs = 0;
    queue = new WorkQueue({
      name: 'test',
      concurrency: 1,
      reconcile: async () => {
        runs++;
        return runs < 3 ? { requeueAfterMs: 10 } : undefined;
      },
    });
    queue.start();
    queue.add('ns/p');
    await until(() => runs === 3);
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toBe(3);
  });
});
