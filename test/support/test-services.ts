import { Redis } from 'ioredis';

/**
 * Where the tests find the machine's real MariaDB and Redis (defaults set by global-setup.js,
 * overridable with TEST_MYSQL_URL / TEST_REDIS_URL). Each run has its own database and key prefix.
 */
export function testDatabaseUrl(): string {
  return requireEnv('WEAPP_AUTH_TEST_DATABASE_URL');
}

export function testRedisUrl(): string {
  return requireEnv('TEST_REDIS_URL');
}

/** A Redis key prefix unique to this run and label; global teardown deletes everything under it. */
export function testRedisPrefix(label: string): string {
  return `wxauth:${requireEnv('WEAPP_AUTH_TEST_RUN_ID')}:${label}:`;
}

/** A client of a port nothing listens on: every command fails at once (no queue, no reconnect). */
export function unreachableRedis(): Redis {
  const redis = new Redis({
    port: 1,
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  return redis;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through \`npm test\``);
  return value;
}
