import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard } from './core/auth/auth.guard.ts';
import { AuthModule } from './core/auth/auth.module.ts';
import type { AppConfig } from './core/config/app-config.ts';
import { ConfigModule } from './core/config/config.module.ts';
import { DatabaseModule } from './core/database/database.module.ts';
import { ProblemDetailsFilter } from './core/errors/problem-details.filter.ts';
import { RateLimiter } from './core/http/rate-limiter.ts';
import { UsageModule } from './modules/usage/usage.module.ts';
import { VideosModule } from './modules/videos/videos.module.ts';
import { ResponseContractInterceptor } from './core/http/response-contract.interceptor.ts';
import { ZodValidationPipe } from './core/http/zod-validation.pipe.ts';
import { loggerOptions } from './core/logging/logger-options.ts';
import { MetricsModule } from './core/metrics/metrics.module.ts';
import { QueueModule } from './core/queue/queue.module.ts';
import { RedisModule } from './core/redis/redis.module.ts';
import { SchedulingModule } from './core/scheduling/scheduling.module.ts';
import { StorageModule } from './core/storage/storage.module.ts';
import { AccountsModule } from './modules/accounts/accounts.module.ts';
import { CreditsModule } from './modules/credits/credits.module.ts';
import { PlansModule } from './modules/plans/plans.module.ts';
import { AuditModule } from './modules/audit/audit.module.ts';
import { AdminModule } from './modules/admin/admin.module.ts';
import { BillingModule } from './modules/billing/billing.module.ts';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.ts';
import { ClientConfigModule } from './modules/client-config/client-config.module.ts';
import { HealthModule } from './modules/health/health.module.ts';
import { InternalModule } from './modules/internal/internal.module.ts';
import { JobsModule } from './modules/jobs/jobs.module.ts';
import { ModelsModule } from './modules/models/models.module.ts';
import { RetentionModule } from './modules/retention/retention.module.ts';
import { UploadsModule } from './modules/uploads/uploads.module.ts';
import { WebhooksModule } from './modules/webhooks/webhooks.module.ts';
import { TeamsModule } from './modules/teams/teams.module.ts';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerOptions(config)),
        DatabaseModule,
        RedisModule,
        AuthModule,
        StorageModule,
        QueueModule,
        MetricsModule,
        SchedulingModule,
        AuditModule,
        ModelsModule,
        AccountsModule,
        CreditsModule,
        PlansModule,
        JobsModule,
        RetentionModule,
        UploadsModule,
        ApiKeysModule,
        AdminModule,
        InternalModule,
        HealthModule,
        ClientConfigModule,
        VideosModule,
        UsageModule,
        BillingModule.forRoot(config),
        WebhooksModule,
        TeamsModule,
      ],
      providers: [
        RateLimiter,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: ResponseContractInterceptor },
      ],
    };
  }
}
