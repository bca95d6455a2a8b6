import type { Pool, PoolClient, QueryResultRow } from 'pg';

/**
 * What a repository runs SQL on: the pool (each statement its own implicit transaction) or one
 * open transaction. Both shapes are the same, so a repository method takes a `Sql` and works
 * inside or outside a caller's transaction alike.
 */
export interface Sql {
  /** The rows a statement answers (for INSERT/UPDATE/DELETE, its RETURNING rows). */
  query<T extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<T[]>;
  /**
   * The same as a named prepared statement: Postgres parses and plans it once per connection
   * instead of on every call. For the hot paths (admission, API-key lookup, the outbox relay),
   * where planning cost more than executing (bench/api-admission/README.md).
   */
  prepared<T extends QueryResultRow>(name: string, text: string, values: readonly unknown[]): Promise<T[]>;
  /** How many rows a statement changed. */
  execute(text: string, values?: readonly unknown[]): Promise<number>;
  /**
   * `work` inside a transaction: a new one on the pool, or, called on a transaction, that same
   * transaction (so a repository may ask for atomicity without knowing whether it already has it).
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}

/**
 * The statements of `Sql`, run on the pool or on one checked-out connection alike. (No parameter
 * properties in this file: the audit:verify CLI runs it from source under Node's type stripping.)
 */
abstract class Statements {
  private readonly client: Pool | PoolClient;

  protected constructor(client: Pool | PoolClient) {
    this.client = client;
  }

  async query<T extends QueryResultRow>(text: string, values?: readonly unknown[]): Promise<T[]> {
    return (await this.client.query<T>(text, values as unknown[] | undefined)).rows;
  }

  async prepared<T extends QueryResultRow>(
    name: string,
    text: string,
    values: readonly unknown[],
  ): Promise<T[]> {
    return (await this.client.query<T>({ name, text, values: values as unknown[] })).rows;
  }

  async execute(text: string, values?: readonly unknown[]): Promise<number> {
    return (await this.client.query(text, values as unknown[] | undefined)).rowCount ?? 0;
  }
}

/** One open transaction on one pooled connection. Only `Database.transaction` makes one. */
export class Transaction extends Statements implements Sql {
  constructor(client: PoolClient) {
    super(client);
  }

  /**
   * Takes the advisory lock `key` for this transaction if nobody holds it (false if someone does):
   * released at commit or rollback, and with the session should the process die.
   */
  async tryAdvisoryLock(key: number): Promise<boolean> {
    const [{ locked }] = await this.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [key],
    );
    return locked;
  }

  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return work(this);
  }
}

/** The API's one way to Postgres: the pg pool, its statements and its transactions. */
export class Database extends Statements implements Sql {
  readonly pool: Pool;

  constructor(pool: Pool) {
    super(pool);
    this.pool = pool;
  }

  /**
   * `work` in a transaction on one pooled connection, committed when it resolves and rolled back
   * when it throws. pg-pool takes its own `error` listener off a client while it is checked out,
   * and an EventEmitter `error` without a listener kills the process: so the checkout carries one
   * of its own for its whole life. A connection that broke (Postgres restarted, failed over, the
   * network cut it) is then destroyed on release instead of being handed to the next caller.
   */
  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(new Transaction(client));
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
}
