import { Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.ts';
import { redisOptions } from './redis.ts';

/** Commands (rate limits, cancel signals, publishing events). Fails fast when Redis is away. */
export const REDIS = Symbol('REDIS');
/** A connection in subscriber mode, for live job events. */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

const logger = new Logger('Redis');

/** ioredis reconnects by itself; an error is worth a line, not an "Unhandled error event". */
function logErrors(redis: Redis, role: string): Redis {
  redis.on('error', (error: Error) => logger.warn({ role, error: error.message }, 'Redis connection error'));
  return redis;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.subscriber.quit()]);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      // A request should fail at once rather than wait in ioredis's offline queue.
      useFactory: async (config: AppConfig) => {
        const redis = logErrors(
          new Redis({
            ...redisOptions(config.env.REDIS_URL),
            enableOfflineQueue: false,
            maxRetriesPerRequest: 1,
            lazyConnect: true,
          }),
          'commands',
        );
        await redis.connect();
        return redis;
      },
    },
    {
      provide: REDIS_SUBSCRIBER,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        logErrors(
          new Redis({ ...redisOptions(config.env.REDIS_URL), maxRetriesPerRequest: null }),
          'subscriber',
        ),
    },
    RedisCloser,
  ],
  exports: [REDIS, REDIS_SUBSCRIBER],
})
export class RedisModule {}
