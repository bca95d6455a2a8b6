import type { Redis } from 'ioredis';

/** One entry of a BullMQ queue's events stream, as BullMQ writes it (flat string fields). */
export interface QueueEvent {
  /** The stream entry id. */
  id: string;
  /** BullMQ's event name: `active`, `waiting`, `delayed`, `progress`, `failed`, ... */
  event: string;
  jobId?: string;
  fields: Readonly<Record<string, string>>;
  /** Taken over from a replica that died holding it: it may be long overtaken by later events. */
  claimed: boolean;
}

export interface QueueEventGroupOptions {
  /** The events stream: BullMQ's `<prefix>:<queue>:events`. */
  stream: string;
  /** Every API replica joins the same group, so each entry is delivered to one of them. */
  group: string;
  /** This replica's name in the group; unique per process. */
  consumer: string;
  /** Connection for the blocking reads (held for the whole read): no other command may use it. */
  blocking: Redis;
  /** Connection for the short commands (ack, claim, clean-up). */
  redis: Redis;
  /** An entry delivered to a replica that has not acknowledged it for this long is taken over. */
  claimIdleMs: number;
  /** How long one read waits for new entries; also how soon a closed reader notices. */
  blockMs?: number;
  /** A consumer idle this long without pending entries is a replica that died: it leaves the group. */
  forgetIdleMs?: number;
  onError(error: Error): void;
}

const BATCH = 100;

/**
 * Reads a BullMQ events stream as a member of a Redis consumer group: each entry goes to exactly
 * one replica, so a worker's progress step or a job's final failure is applied once in the
 * cluster, not once per replica. An entry is acknowledged after its handler settles (handlers
 * catch their own errors: the reconciler is the safety net for what they could not apply), and
 * entries a replica took but never acknowledged (it died) are claimed by another once idle for
 * `claimIdleMs`.
 *
 * A new group starts at the stream's end, as a plain reader would: replaying the stream's
 * history would apply stale transitions. An existing group resumes where the cluster left off,
 * so events written while every replica was down are applied when one comes back.
 */
export class QueueEventGroup {
  private closed = false;
  private loop: Promise<void> | undefined;
  private nextClaim = 0;
  private claimCursor = '0-0';

  constructor(private readonly options: QueueEventGroupOptions) {}

  /** Joins the group (creating it if needed); resolves once entries added from now on will be read. */
  async start(handle: (event: QueueEvent) => Promise<void>): Promise<void> {
    await this.createGroup();
    this.loop = this.run(handle);
  }

  private async createGroup(): Promise<void> {
    const { redis, stream, group } = this.options;
    try {
      await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
    } catch (error) {
      // Another replica created it first: join it where it is.
      if (!(error as Error).message.startsWith('BUSYGROUP')) throw error;
    }
  }

  /** Stops reading; entries read and not yet handled stay pending for another replica to claim. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A blocked XREADGROUP ends when its connection does.
    this.options.blocking.disconnect();
    await this.loop;
    await this.leave().catch(() => undefined);
  }

  private async run(handle: (event: QueueEvent) => Promise<void>): Promise<void> {
    const { blocking, stream, group, consumer, blockMs = 5_000 } = this.options;
    while (!this.closed) {
      try {
        if (Date.now() >= this.nextClaim) await this.claimAbandoned(handle);
        const reply = (await blocking.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          blockMs,
          'STREAMS',
          stream,
          '>',
        )) as [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) await this.handleAll(entries, handle);
      } catch (error) {
        if (this.closed) return;
        this.options.onError(error as Error);
        // The group went with its stream (Redis flushed or restarted without persistence).
        if ((error as Error).message.startsWith('NOGROUP')) await this.createGroup().catch(() => undefined);
        // Redis away: do not spin; the connection retries on its own.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async handleAll(
    entries: readonly (readonly [string, string[] | null])[],
    handle: (event: QueueEvent) => Promise<void>,
    claimed = false,
  ): Promise<void> {
    for (const [id, flat] of entries) {
      // An entry trimmed from the stream while pending comes back without fields: nothing to apply.
      if (flat) {
        await handle({ ...toQueueEvent(id, flat), claimed }).catch((error: Error) =>
          this.options.onError(error),
        );
      }
      await this.options.redis.xack(this.options.stream, this.options.group, id);
    }
  }

  /**
   * Takes over what dead replicas were given and never acknowledged, and forgets those replicas.
   * Runs every `claimIdleMs` (an entry cannot be claimable sooner than that).
   */
  private async claimAbandoned(handle: (event: QueueEvent) => Promise<void>): Promise<void> {
    const { redis, stream, group, consumer, claimIdleMs, forgetIdleMs = 3_600_000 } = this.options;
    this.nextClaim = Date.now() + claimIdleMs;
    for (let round = 0; round < 10; round++) {
      const [next, entries] = (await redis.xautoclaim(
        stream,
        group,
        consumer,
        claimIdleMs,
        this.claimCursor,
        'COUNT',
        BATCH,
      )) as [string, [string, string[] | null][], ...unknown[]];
      this.claimCursor = next;
      await this.handleAll(entries, handle, true);
      if (next === '0-0') break;
    }
    const consumers = (await redis.xinfo('CONSUMERS', stream, group)) as unknown[][];
    for (const info of consumers) {
      const fields = toRecord(info);
      if (fields['name'] === consumer) continue;
      if (Number(fields['pending']) === 0 && Number(fields['idle']) > forgetIdleMs) {
        await redis.xgroup('DELCONSUMER', stream, group, String(fields['name']));
      }
    }
  }

  /** Leaves the group if nothing is pending on this replica (pending entries would be lost with it). */
  private async leave(): Promise<void> {
    const { redis, stream, group, consumer } = this.options;
    const pending = (await redis.xpending(stream, group, '-', '+', 1, consumer)) as unknown[];
    if (pending.length === 0) await redis.xgroup('DELCONSUMER', stream, group, consumer);
  }
}

/** BullMQ's flat `[field, value, ...]` entry as an event; `progress` data stays JSON text. */
export function toQueueEvent(id: string, flat: readonly string[]): QueueEvent {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return {
    id,
    event: fields['event'] ?? '',
    ...(fields['jobId'] ? { jobId: fields['jobId'] } : {}),
    fields,
    claimed: false,
  };
}

function toRecord(flat: readonly unknown[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[String(flat[i])] = flat[i + 1];
  return record;
}
