import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RedisBatcher, SessionLookupHook } from '../auth/index.js';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { MemoryRateLimitStore, RateLimitStore, RedisRateLimitStore } from './rate-limit.store.js';
import { RouteThrottles } from './route-throttles.js';
import { SessionCounterHook } from './session-counter.hook.js';

/**
 * Login, per-session, per-route and per-user limits with counters in Redis (shared by all
 * instances). Import after the auth module: its guard must run first so the limits can see the
 * session. Global, so the auth module's guard finds the `SessionLookupHook` provided here and starts
 * each per-session hit together with its session read, through the auth module's `RedisBatcher`.
 * `RATE_LIMIT_ENABLED=false` leaves everything out (gateway-limited deployments).
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
          inject: [REDIS_CLIENT, redisConfig.KEY, { token: RedisBatcher, optional: true }],
          useFactory: (redis: RedisConnection | null, config: RedisConfig, batcher?: RedisBatcher | null) =>
            redis
              ? new RedisRateLimitStore(batcher ?? new RedisBatcher(redis), config.keyPrefix)
              : new MemoryRateLimitStore(),
        },
        RouteThrottles,
        { provide: SessionLookupHook, useClass: SessionCounterHook },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [RateLimitStore, SessionLookupHook],
    };
  }
}
