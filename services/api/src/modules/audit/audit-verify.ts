/**
 * `npm run -w services/api audit:verify`: walks the audit log's hash chain and reports the first
 * broken link. Exit 0 intact, 1 broken, 2 could not check. Reads DATABASE_URL only.
 */
import pg from 'pg';
import { Database } from '../../core/database/database.ts';
import { verifyChain } from './audit-chain.ts';
import { AuditRepository } from './audit.repository.ts';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set; it names the database whose audit log to check.\n');
    return 2;
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const log = new AuditRepository(new Database(pool));
    const result = await verifyChain((seq, limit) => log.after(seq, limit));
    if (result.ok) {
      process.stdout.write(`Audit log intact: ${result.rows} rows, head ${result.head}\n`);
      return 0;
    }
    process.stdout.write(
      `Audit log broken at row ${result.seq}: ${result.problem} (${result.rows} rows before it verified)\n`,
    );
    return 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Could not verify the audit log: ${(error as Error).message}\n`);
    process.exit(2);
  },
);
