// `npm run db:migrate`: applies migrations and exits; needs only DATABASE_URL.
import { runMigrations } from './run-migrations.ts';

const url = process.env['DATABASE_URL'];
if (!url) {
  console.error('DATABASE_URL is required (postgres://user:password@host:5432/db).');
  process.exit(2);
}
try {
  const applied = await runMigrations(url);
  console.log(JSON.stringify({ msg: 'Migrations applied', applied }));
} catch (error) {
  console.error(JSON.stringify({ msg: 'Migrations failed', error: (error as Error).message }));
  process.exit(1);
}
