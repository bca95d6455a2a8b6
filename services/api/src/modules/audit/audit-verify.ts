/**
 * `npm run -w services/api audit:verify`: walks the audit log's hash chain and reports the first
 * broken link. Exit 0 intact, 1 broken, 2 could not check. Reads DATABASE_URL only.
 */
import pg from 'pg';
import { type StoredAuditRow, verifyChain } from './audit-chain.ts';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set; it names the database whose audit log to check.\n');
    return 2;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await verifyChain(async (seq, limit) => {
      const { rows } = await client.query<StoredAuditRow>(
        `SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
        [seq, limit],
      );
      return rows;
    });
    if (result.ok) {
      process.stdout.write(`Audit log intact: ${result.rows} rows, head ${result.head}\n`);
      return 0;
    }
    process.stdout.write(
      `Audit log broken at row ${result.seq}: ${result.problem} (${result.rows} rows before it verified)\n`,
    );
    return 1;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Could not verify the audit log: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
