import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config.ts';
import { Database } from './database.ts';
import { runMigrations } from './run-migrations.ts';

/**
 * The API's Postgres: one pg pool, shared by every repository through `Database`. Migrations
 * (TypeORM's runner, only at start-up when DB_MIGRATE is set) run before the pool is handed out.
 */
@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const { DATABASE_URL, DB_MIGRATE, DB_POOL_SIZE, DB_APP_ROLE } = config.env;
        if (DB_MIGRATE) {
          const applied = await runMigrations(DATABASE_URL);
          new Logger('Database').log({ applied }, 'Migrations applied');
        }
        const pool = new Pool({
          connectionString: DATABASE_URL,
          max: DB_POOL_SIZE,
          // `-c role=` makes every pooled connection act as the application role from its first
          // statement: no window in which a query runs with the owner's rights.
          ...(DB_APP_ROLE === 'none' ? {} : { options: `-c role=${DB_APP_ROLE}` }),
          application_name: 'cineweave-api',
        });
        // An idle connection that breaks (Postgres restarted) emits `error` on the pool; without a
        // listener that would kill the process. The pool drops the client; the next query reconnects.
        pool.on('error', (error) =>
          new Logger('Database').warn({ error: error.message }, 'An idle Postgres connection broke'),
        );
        return new Database(pool);
      },
    },
  ],
  exports: [Database],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.pool.end();
  }
}
