import { afterAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl, unreachableRedis } from '../../../test/support/test-services.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { RedisSessionStore } from './redis-session.store.js';
import { describeSessionStoreContract } from './session-store.contract.js';

// Runs on the machine's real Redis under this run's key prefix.
const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

describeSessionStoreContract(
  'RedisSessionStore',
  () => new RedisSessionStore(redis, testRedisPrefix('session-store')),
);

describe('RedisSessionStore failures', () => {
  test('a Redis error becomes SessionStoreUnavailableError, which callers map to 503', async () => {
    const offline = unreachableRedis();
    const store = new RedisSessionStore(offline, 'x:');
    await expect(store.find('hash')).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    offline.disconnect();
  });
});
