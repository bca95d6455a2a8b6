import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '../../core/database/database.ts';

/** Session advisory lock of the fair dispatcher (the reconciler's is 727275, the legacy move's 727276). */
const LOCK_KEY = 727277;
/** How often the lock's connection is checked while this replica dispatches. */
const CHECK_MS = 5_000;

/**
 * Which replica dispatches: the one holding a Postgres session advisory lock on a connection of
 * its own. The fair queues live in that replica's memory, so two dispatchers would each hand out
 * their own picks and break the shares; the lock goes with the session, so a replica that dies
 * (or loses its connection) frees it for another, which rebuilds the queues from Postgres.
 */
@Injectable()
export class DispatchLeadership implements OnApplicationShutdown {
  private readonly logger = new Logger(DispatchLeadership.name);
  private client: PoolClient | undefined;
  private broken = false;
  private checkedAt = 0;

  constructor(private readonly db: Database) {}

  /**
   * Whether this replica dispatches now: `acquired` the first time it holds the lock (the caller
   * rebuilds its state), `held` while it keeps it, `none` while another replica has it.
   */
  async hold(): Promise<'acquired' | 'held' | 'none'> {
    if (this.client && !this.broken && (await this.alive(this.client))) return 'held';
    this.drop();
    const client = await this.db.pool.connect();
    // pg-pool takes its own listener off a checked-out client; without one an error kills the process.
    client.on('error', (error: Error) => {
      this.broken = true;
      this.logger.warn(
        { error: error.message },
        'Lost the dispatch lock connection; another replica may take over',
      );
    });
    try {
      const [row] = (
        await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [LOCK_KEY])
      ).rows;
      if (!row?.locked) {
        client.release();
        return 'none';
      }
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    this.client = client;
    this.broken = false;
    return 'acquired';
  }

  /** Gives the lock up (shutdown): another replica takes over at its next pass. */
  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (this.broken) {
      client.release(true);
      return;
    }
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).then(
      () => client.release(),
      (error: Error) => client.release(error),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.release();
  }

  /**
   * A connection cut without a word (a network partition) emits nothing until used: a cheap query
   * every few seconds finds out, so a replica does not go on dispatching without the lock.
   */
  private async alive(client: PoolClient): Promise<boolean> {
    if (Date.now() - this.checkedAt < CHECK_MS) return true;
    try {
      await client.query('SELECT 1');
      this.checkedAt = Date.now();
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }

  /** A broken connection's lock is gone with its session: forget it and destroy the connection. */
  private drop(): void {
    if (this.client && this.broken) this.client.release(true);
    this.client = undefined;
    this.broken = false;
  }
}
