import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.ts';
import { Database } from './database.ts';
import { dataSourceOptions } from './data-source-options.ts';
import { poolOf } from './prepared.ts';
import { runMigrations } from './run-migrations.ts';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const { DATABASE_URL, DB_MIGRATE, DB_POOL_SIZE, DB_APP_ROLE } = config.env;
        if (DB_MIGRATE) {
          const applied = await runMigrations(DATABASE_URL);
          new Logger('Database').log({ applied }, 'Migrations applied');
        }
        return dataSourceOptions({
          url: DATABASE_URL,
          poolSize: DB_POOL_SIZE,
          role: DB_APP_ROLE === 'none' ? null : DB_APP_ROLE,
        });
      },
    }),
  ],
  providers: [
    {
      provide: Database,
      inject: [getDataSourceToken()],
      // TRANSITIONAL: shares TypeORM's pool until every service has moved to repositories.
      useFactory: (dataSource: DataSource) => new Database(poolOf(dataSource)),
    },
  ],
  exports: [Database],
})
export class DatabaseModule {}
