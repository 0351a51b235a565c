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

describe('RedisSessionStore upgrades', () => {
  test('an index written before the cap existed counts as the oldest sessions and is capped on the next login', async () => {
    const prefix = testRedisPrefix('session-store-legacy');
    const store = new RedisSessionStore(redis, prefix);
    const now = Date.now();
    const record = (id: string) => ({
      id,
      userId: 7,
      appid: 'wxlegacy',
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 30_000,
      absoluteExpiresAt: now + 60_000,
      userAgent: null,
      snapshot: null,
    });
    // The previous layout: records plus the id → token-hash hash, no sorted set.
    for (let i = 0; i < 5; i++) {
      await redis.set(`${prefix}session:{legacy-${i}}`, JSON.stringify(record(`old-${i}`)), 'PX', 60_000);
      await redis.hset(`${prefix}user:{wxlegacy:7}:sessions`, `old-${i}`, `legacy-${i}`);
    }
    await store.create({ tokenHash: 'fresh', record: record('new') }, now + 60_000, 2);
    const listed = (await store.listForUser('wxlegacy', 7)).map((s) => s.record.id);
    expect(listed).toHaveLength(2);
    expect(listed).toContain('new');
    expect(await store.find('legacy-0')).toBeNull();
  });
});
