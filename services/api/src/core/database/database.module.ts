import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.ts';
import { dataSourceOptions } from './data-source-options.ts';
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
})
export class DatabaseModule {}
