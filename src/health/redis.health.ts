import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { RedisConnection } from '../redis/redis-connection.js';
import { REDIS_CLIENT } from '../redis/redis.constants.js';

@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: RedisConnection | null,
  ) {}

  ping(timeoutMs: number) {
    const redis = this.redis;
    const check = this.health.check('redis');
    if (!redis) return check.up({ store: 'in-process (development)' });
    return check
      .attempt(async () => {
        await redis.ping();
      })
      .withTimeout(timeoutMs);
  }
}
