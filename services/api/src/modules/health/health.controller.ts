import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LivenessSchema, ReadinessSchema } from '@cineweave/contracts';
import type { Response } from 'express';
import type { Redis } from 'ioredis';
import { Public } from '../../core/auth/auth.decorators.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { MetricsService } from '../../core/metrics/metrics.service.ts';
import { REDIS } from '../../core/redis/redis.module.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { HealthRepository } from './health.repository.ts';

const CHECK_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within 2 s`)), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly postgres: HealthRepository,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly storage: StorageService,
    private readonly metrics: MetricsService,
  ) {}

  /** The process is alive (liveness): no dependency is checked, so a database blip restarts nothing. */
  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @RespondsWith(LivenessSchema)
  health() {
    return { status: 'ok' };
  }

  /** Postgres, Redis and S3 all answer (readiness). */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: Postgres, Redis and S3 answer' })
  @RespondsWith(ReadinessSchema)
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks = await Promise.allSettled([
      within(this.postgres.ping(), 'Postgres'),
      within(this.redis.ping(), 'Redis'),
      within(this.storage.ensureBucket(), 'S3'),
    ]);
    const names = ['postgres', 'redis', 's3'] as const;
    const status = Object.fromEntries(
      checks.map((check, i) => [
        names[i],
        check.status === 'fulfilled' ? 'ok' : (check.reason as Error).message,
      ]),
    );
    const ready = checks.every((check) => check.status === 'fulfilled');
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks: status };
  }

  /** Each gauge's owner refreshes it as the registry reads it (prom-client `collect`). */
  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
