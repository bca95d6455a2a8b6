import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { QUEUE_NAMES } from '@cineweave/contracts';
import type { RedisOptions } from 'bullmq';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from '../redis/redis.ts';
import { WorkQueues } from './work-queues.ts';

/** The results queue through @nestjs/bullmq; the per-model work queues through WorkQueues. */
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
    BullModule.registerQueue({ name: QUEUE_NAMES.videoResults }),
  ],
  providers: [WorkQueues],
  exports: [BullModule, WorkQueues],
})
export class QueueModule {}
