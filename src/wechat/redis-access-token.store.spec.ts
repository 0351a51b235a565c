import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl } from '../../test/support/test-services.js';
import { accessTokenKeys } from './access-token.store.js';
import { RedisAccessTokenStore } from './redis-access-token.store.js';

const APPID = 'wx0123456789abcdef';
let redis: Redis;
let prefix: string;
let store: RedisAccessTokenStore;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  prefix = testRedisPrefix('wechat-token-store');
  store = new RedisAccessTokenStore(redis, prefix);
});

afterAll(async () => {
  await redis.quit();
});

describe('RedisAccessTokenStore', () => {
  it('uses hash-tagged keys under the prefix', () => {
    expect(accessTokenKeys('wxauth:', APPID)).toEqual({
      token: `wxauth:wechat:{${APPID}}:access-token`,
      lock: `wxauth:wechat:{${APPID}}:access-token-lock`,
    });
  });

  it('stores with a TTL and compare-and-deletes', async () => {
    await store.set(APPID, 'T1', 60_000);
    expect(await store.get(APPID)).toBe('T1');
    const ttl = await redis.pttl(accessTokenKeys(prefix, APPID).token);
    expect(ttl).toBeGreaterThan(59_000);
    expect(await store.invalidate(APPID, 'T0')).toBe(false);
    expect(await store.get(APPID)).toBe('T1');
    expect(await store.invalidate(APPID, 'T1')).toBe(true);
    expect(await store.get(APPID)).toBeUndefined();
  });

  it('grants the lock once and lets only its owner release it', async () => {
    expect(await store.tryLock(APPID, 'a', 5_000)).toBe(true);
    expect(await store.tryLock(APPID, 'b', 5_000)).toBe(false);
    await store.unlock(APPID, 'b');
    expect(await store.peek(APPID)).toEqual({ token: undefined, locked: true });
    await store.set(APPID, 'T2', 60_000);
    await store.unlock(APPID, 'a');
    expect(await store.peek(APPID)).toEqual({ token: 'T2', locked: false });
    expect(await store.tryLock(APPID, 'b', 5_000)).toBe(true);
    await store.unlock(APPID, 'b');
  });
});
