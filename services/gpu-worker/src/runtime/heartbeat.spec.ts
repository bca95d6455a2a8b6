import { WorkerHeartbeatSchema, workerHeartbeatKey, workerIndexKey } from '@cineweave/contracts';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkerHeartbeatPublisher } from './heartbeat.ts';

// On the real Redis, under a prefix of its own: what the API reads is what the worker wrote.
const redis = new Redis('redis://127.0.0.1:6379');
const prefix = `heartbeat-test-${randomUUID()}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const read = async (workerId: string) => {
  const value = await redis.get(workerHeartbeatKey(prefix, workerId));
  return value === null ? null : WorkerHeartbeatSchema.parse(JSON.parse(value));
};

describe(WorkerHeartbeatPublisher.name, () => {
  it('should announce itself not ready at start, ready when told, with its limits and a TTL', async () => {
    const errors: Error[] = [];
    const publisher = new WorkerHeartbeatPublisher(
      {
        workerId: 'w-ready',
        model: 'wan2.2-tiny-test',
        engine: 'onnx',
        limits: { maxResolution: '640x352', maxFrames: 49 },
      },
      {
        connection: redis,
        prefix,
        ttlSeconds: 5,
        intervalMs: 60_000,
        onError: (error) => errors.push(error),
      },
    );
    await publisher.beat();
    expect(await read('w-ready')).toMatchObject({
      ready: false,
      reason: 'starting',
      model: 'wan2.2-tiny-test',
    });

    await publisher.setReady(true);
    expect(await redis.zscore(workerIndexKey(prefix), 'w-ready')).not.toBeNull();
    const beat = await read('w-ready');
    expect(beat).toMatchObject({
      ready: true,
      engine: 'onnx',
      limits: { maxResolution: '640x352', maxFrames: 49 },
    });
    expect(beat?.reason).toBeUndefined();
    const ttl = await redis.ttl(workerHeartbeatKey(prefix, 'w-ready'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5);

    await publisher.setReady(false, 'the engine is not ready: /health answered 503');
    expect(await read('w-ready')).toMatchObject({
      ready: false,
      reason: 'the engine is not ready: /health answered 503',
    });
    await publisher.stop();
    expect(await read('w-ready')).toBeNull();
    expect(await redis.zscore(workerIndexKey(prefix), 'w-ready')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('should report a failed write instead of throwing when Redis refuses it', async () => {
    const broken = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, enableOfflineQueue: false });
    const errors: Error[] = [];
    const publisher = new WorkerHeartbeatPublisher(
      {
        workerId: 'w-broken',
        model: 'wan2.2-tiny-test',
        engine: 'onnx',
        limits: { maxResolution: '640x352', maxFrames: 49 },
      },
      { connection: broken, prefix, onError: (error) => errors.push(error) },
    );
    await publisher.beat();
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining("Stream isn't writeable")]);
    broken.disconnect();
  });
});
