import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface RedisConfig {
  /** Unset in development: stores fall back to process memory. */
  url?: string;
  /** Prefix for every key this service writes, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
}

export const redisConfig = registerAs('redis', (): RedisConfig => {
  const env = validateEnv(process.env);
  return { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX ?? 'wxauth:' };
});
