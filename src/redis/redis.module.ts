import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisConnection } from './redis-connection.js';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';
import { REDIS_CLIENT } from './redis.constants.js';
import { openRedisConnection } from './redis-connection.js';

/** Provides the one shared Redis connection (or `null` in development without REDIS_URL). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [redisConfig.KEY],
      useFactory: (config: RedisConfig) => (config.url ? openRedisConnection(config.url) : null),
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisConnection | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
