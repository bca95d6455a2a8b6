import type { DataSourceOptions } from 'typeorm';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema.ts';
import { Billing1764100000000 } from './migrations/1764100000000-billing.ts';
import { UploadRetention1764200000000 } from './migrations/1764200000000-upload-retention.ts';
import { PlanJobLimits1764310000000 } from './migrations/1764310000000-plan-job-limits.ts';
import { ContentCredentials1764421000000 } from './migrations/1764421000000-content-credentials.ts';
import { UsageIndex1764500000000 } from './migrations/1764500000000-usage-index.ts';
import { Webhooks1764900000000 } from './migrations/1764900000000-webhooks.ts';
import { Trust1765000000000 } from './migrations/1765000000000-trust.ts';
import { ProgressStage1765100000000 } from './migrations/1765100000000-progress-stage.ts';
import { JobPreset1765170000000 } from './migrations/1765170000000-job-preset.ts';
import { DropDispatchStamps1765200000000 } from './migrations/1765200000000-drop-dispatch-stamps.ts';
import { ModelRenderTimes1765300000000 } from './migrations/1765300000000-model-render-times.ts';
import { Teams1765400000000 } from './migrations/1765400000000-teams.ts';
import { PlanQueueWeight1765420000000 } from './migrations/1765420000000-plan-queue-weight.ts';
import { OutboxHeld1765420000001 } from './migrations/1765420000001-outbox-held.ts';
import { MillisecondListTimes1765460000000 } from './migrations/1765460000000-millisecond-list-times.ts';

/** Every migration, in order. Listed explicitly: the compiled ESM build has no glob loader. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  Billing1764100000000,
  UploadRetention1764200000000,
  PlanJobLimits1764310000000,
  ContentCredentials1764421000000,
  UsageIndex1764500000000,
  Webhooks1764900000000,
  Trust1765000000000,
  ProgressStage1765100000000,
  JobPreset1765170000000,
  DropDispatchStamps1765200000000,
  ModelRenderTimes1765300000000,
  Teams1765400000000,
  PlanQueueWeight1765420000000,
  OutboxHeld1765420000001,
  MillisecondListTimes1765460000000,
];

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** Role to switch to on every connection; null keeps the connecting user (migrations). */
  role: string | null;
}

export function dataSourceOptions({ url, poolSize, role }: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // Each migration in its own transaction, so a failed one leaves the previous ones applied.
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: poolSize,
      // `-c role=` makes every pooled connection act as the application role from its first
      // statement: no window in which a query runs with the owner's rights.
      ...(role ? { options: `-c role=${role}` } : {}),
      application_name: 'cineweave-api',
    },
  };
}
