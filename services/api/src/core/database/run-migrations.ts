import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.ts';

/**
 * Applies pending migrations as the connecting (owner) user, then closes. Used at start-up when
 * DB_MIGRATE=true and by `npm run db:migrate` (the chart's pre-upgrade hook).
 */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions({ url, poolSize: 1, role: null }));
  await dataSource.initialize();
  try {
    // Two replicas starting together must not both migrate: an advisory lock serialises them.
    await dataSource.query(`SELECT pg_advisory_lock(727274)`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    await dataSource.query(`SELECT pg_advisory_unlock(727274)`);
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
