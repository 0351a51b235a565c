import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from './rate-limit.store.js';

/**
 * Login and per-session budgets with counters in Redis (shared by all instances). Import after the
 * auth module: its guard must run first so the per-session budget can see the session.
 * `RATE_LIMIT_ENABLED=false` leaves everything out (gateway-limited deployments, benchmarks).
 */
@Module({})
export class RateLimitModule {
  static forRoot(enabled: boolean): DynamicModule {
    if (!enabled) return { module: RateLimitModule };
    return {
      module: RateLimitModule,
      global: true,
      providers: [
        {
          provide: RateLimitStore,
          inject: [REDIS_CLIENT, redisConfig.KEY],
          useFactory: (redis: RedisConnection | null, config: RedisConfig) =>
            redis ? new RedisRateLimitStore(redis, config.keyPrefix) : new MemoryRateLimitStore(),
        },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [RateLimitStore],
    };
  }
}
