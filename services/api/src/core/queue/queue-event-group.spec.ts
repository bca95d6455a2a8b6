import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type QueueEvent, QueueEventGroup, toQueueEvent } from './queue-event-group.ts';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379/0';
const GROUP = 'api';

describe(QueueEventGroup.name, () => {
  const redis = new Redis(REDIS_URL);
  const members: QueueEventGroup[] = [];
  const streams: string[] = [];
  const errors: Error[] = [];

  function newStream(): string {
    const stream = `cwtest-event-group-${randomBytes(4).toString('hex')}`;
    streams.push(stream);
    return stream;
  }

  /** A replica's reader: what it handled, in order. */
  async function join(stream: string, consumer: string, claimIdleMs = 30_000) {
    const handled: QueueEvent[] = [];
    const member = new QueueEventGroup({
      stream,
      group: GROUP,
      consumer,
      blocking: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
      redis,
      claimIdleMs,
      blockMs: 100,
      onError: (error) => errors.push(error),
    });
    members.push(member);
    await member.start(async (event) => {
      handled.push(event);
    });
    return handled;
  }

  const add = (stream: string, jobId: string) => redis.xadd(stream, '*', 'event', 'active', 'jobId', jobId);

  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('Not handled in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  afterEach(async () => {
    await Promise.all(members.splice(0).map((member) => member.close()));
    expect(errors.splice(0)).toEqual([]);
    if (streams.length > 0) await redis.del(...streams.splice(0));
  });
  afterAll(() => redis.disconnect());

  it('should hand each entry to one replica only when two read one stream', async () => {
    const stream = newStream();
    const first = await join(stream, 'replica-a');
    const second = await join(stream, 'replica-b');
    const jobIds = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    for (const jobId of jobIds) await add(stream, jobId);

    await until(() => first.length + second.length >= jobIds.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const handled = [...first, ...second].map((event) => event.jobId).sort();
    expect(handled).toEqual([...jobIds].sort());
    expect((await redis.xpending(stream, GROUP))[0]).toBe(0);
  });

  it('should take over what a dead replica read and never acknowledged', async () => {
    const stream = newStream();
    await redis.xgroup('CREATE', stream, GROUP, '$', 'MKSTREAM');
    await add(stream, 'taken-by-the-dead');
    await add(stream, 'also-taken-by-the-dead');
    // A replica that read both and died before acknowledging them.
    await redis.xreadgroup('GROUP', GROUP, 'dead-replica', 'COUNT', 10, 'STREAMS', stream, '>');

    const survivor = await join(stream, 'survivor', 200);
    await until(() => survivor.length === 2);
    expect(survivor.map(({ jobId, claimed }) => ({ jobId, claimed }))).toEqual([
      { jobId: 'taken-by-the-dead', claimed: true },
      { jobId: 'also-taken-by-the-dead', claimed: true },
    ]);
    expect(await redis.xpending(stream, GROUP)).toEqual([0, null, null, null]);
  });

  it('should start a new group at the end of the stream, not replay its history', async () => {
    const stream = newStream();
    await add(stream, 'before-any-replica');
    const handled = await join(stream, 'replica-a');
    await add(stream, 'after');
    await until(() => handled.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(handled.map(({ jobId, claimed }) => ({ jobId, claimed }))).toEqual([
      { jobId: 'after', claimed: false },
    ]);
  });
});

describe(toQueueEvent.name, () => {
  it('should read BullMQ’s flat fields when given a progress entry', () => {
    expect(toQueueEvent('1-0', ['event', 'progress', 'jobId', 'j', 'data', '{"step":1}'])).toEqual({
      id: '1-0',
      event: 'progress',
      jobId: 'j',
      fields: { event: 'progress', jobId: 'j', data: '{"step":1}' },
      claimed: false,
    });
  });
});
