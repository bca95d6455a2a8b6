import {
  WORKER_HEARTBEAT,
  type WorkerHeartbeat,
  workerHeartbeatKey,
  WorkerHeartbeatSchema,
  workerIndexKey,
} from '@cineweave/contracts';
import type { Redis } from 'ioredis';

export interface HeartbeatOptions {
  connection: Pick<Redis, 'multi'>;
  /** QUEUE_PREFIX, shared with the API. */
  prefix: string;
  intervalMs?: number;
  ttlSeconds?: number;
  onError(error: Error): void;
}

/**
 * Announces this worker to the API: its model, engine, readiness and the largest job it can render,
 * under its own key with a TTL, so a worker that dies without a word drops out by itself. The API
 * lists a model as available while a ready worker announces it, and refuses jobs larger than every
 * ready worker's limits.
 */
export class WorkerHeartbeatPublisher {
  private timer: NodeJS.Timeout | null = null;
  private state: Omit<WorkerHeartbeat, 'at'>;
  private readonly key: string;

  constructor(
    identity: Omit<WorkerHeartbeat, 'at' | 'ready' | 'reason'>,
    private readonly options: HeartbeatOptions,
  ) {
    this.state = { ...identity, ready: false, reason: 'starting' };
    this.key = workerHeartbeatKey(options.prefix, identity.workerId);
  }

  start(): void {
    void this.beat();
    this.timer = setInterval(
      () => void this.beat(),
      this.options.intervalMs ?? WORKER_HEARTBEAT.intervalSeconds * 1000,
    );
  }

  /** Readiness changed: said at once rather than at the next beat. */
  setReady(ready: boolean, reason?: string): Promise<void> {
    const { reason: _previous, ...rest } = this.state;
    this.state = { ...rest, ready, ...(ready || !reason ? {} : { reason }) };
    return this.beat();
  }

  /** Gone on purpose: the key goes now, not when its TTL runs out. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.options.connection
      .multi()
      .del(this.key)
      .zrem(workerIndexKey(this.options.prefix), this.state.workerId)
      .exec()
      .then(() => undefined)
      .catch((error: Error) => this.options.onError(error));
  }

  async beat(): Promise<void> {
    const beat = WorkerHeartbeatSchema.parse({ ...this.state, at: new Date().toISOString() });
    const ttlSeconds = this.options.ttlSeconds ?? WORKER_HEARTBEAT.ttlSeconds;
    // The key (with its TTL) and the index entry (scored by the same expiry) move together.
    await this.options.connection
      .multi()
      .set(this.key, JSON.stringify(beat), 'EX', ttlSeconds)
      .zadd(workerIndexKey(this.options.prefix), Date.now() + ttlSeconds * 1000, this.state.workerId)
      .exec()
      .then(() => undefined)
      .catch((error: Error) => this.options.onError(error));
  }
}
