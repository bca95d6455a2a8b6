import {
  WORKER_HEARTBEAT,
  type WorkerHeartbeat,
  workerHeartbeatKey,
  WorkerHeartbeatSchema,
} from '@cineweave/contracts';
import type { Redis } from 'ioredis';

export interface HeartbeatOptions {
  connection: Pick<Redis, 'set' | 'del'>;
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
    await this.options.connection.del(this.key).catch((error: Error) => this.options.onError(error));
  }

  async beat(): Promise<void> {
    const beat = WorkerHeartbeatSchema.parse({ ...this.state, at: new Date().toISOString() });
    await this.options.connection
      .set(this.key, JSON.stringify(beat), 'EX', this.options.ttlSeconds ?? WORKER_HEARTBEAT.ttlSeconds)
      .then(() => undefined)
      .catch((error: Error) => this.options.onError(error));
  }
}
