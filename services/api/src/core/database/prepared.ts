import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** The pg pool behind TypeORM's Postgres driver; the hot paths talk to it directly. */
export function poolOf(db: DataSource): Pool {
  return (db.driver as unknown as { master: Pool }).master;
}

/**
 * Runs a statement on the hot path (admission, API-key lookup, the outbox relay) as a named
 * prepared statement, so Postgres parses and plans it once per connection rather than on every
 * call. For the admission statement planning cost more than executing: prepared, Postgres
 * admits about twice as many jobs per second (bench/api-admission/README.md).
 */
export async function runPrepared<T>(
  target: DataSource | PoolClient,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const queryable = 'driver' in target ? poolOf(target) : target;
  const result = await queryable.query<T & object>({ name, text, values });
  return result.rows as T[];
}

/**
 * A transaction on one pooled connection, committed when `work` resolves and rolled back when it
 * throws. pg-pool takes its own `error` listener off a client while it is checked out, and an
 * EventEmitter `error` without a listener kills the process: so the checkout carries one of its
 * own for its whole life. A connection that broke (Postgres restarted, failed over, the network
 * cut it) is then destroyed on release instead of being handed to the next caller.
 */
export async function inTransaction<T>(db: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is not handed to the next caller.
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken ??= rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken ?? false);
  }
}
