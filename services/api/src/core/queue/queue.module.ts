import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { QUEUE_NAMES } from '@cineweave/contracts';
import type { RedisOptions } from 'bullmq';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from '../redis/redis.ts';

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.env.REDIS_URL) as RedisOptions,
        prefix: config.env.QUEUE_PREFIX,
      }),
    }),
    BullModule.registerQueue({ name: QUEUE_NAMES.videoJobs }, { name: QUEUE_NAMES.videoResults }),
  ],
  exports: [BullModule],
})
export class QueueModule {}
