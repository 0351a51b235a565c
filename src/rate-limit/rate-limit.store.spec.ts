import { afterAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl, unreachableRedis } from '../../test/support/test-services.js';
import { RedisBatcher } from '../redis/redis-batcher.js';
import { RedisRateLimitStore } from './rate-limit.store.js';

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

/** The real client, wrapped to record the commands it is asked to send and when its socket is corked. */
function recording(client: Redis): { client: Redis; sent: string[] } {
  const sent: string[] = [];
  const wrapped = new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as (...a: unknown[]) => unknown;
      if (property === 'stream')
        return {
          cork: () => (sent.push('cork'), target.stream.cork()),
          uncork: () => (sent.push('uncork'), target.stream.uncork()),
        };
      if (!['get', 'mget', 'call'].includes(String(property))) return value;
      return (...args: unknown[]) => {
        sent.push(property === 'call' ? String(args[0]) : String(property));
        return value.apply(target, args);
      };
    },
  });
  return { client: wrapped, sent };
}

describe('RedisRateLimitStore', () => {
  test('counts hits in a window that starts with the first one', async () => {
    const store = new RedisRateLimitStore(new RedisBatcher(redis), testRedisPrefix('rate-limit-store'));
    const hits = await Promise.all([
      store.hit('k', 60_000),
      store.hit('k', 60_000),
      store.hit('other', 60_000),
    ]);
    expect(hits.map(({ count }) => count)).toEqual([1, 2, 1]);
    for (const { resetInMs } of hits) {
      expect(resetInMs).toBeGreaterThan(0);
      expect(resetInMs).toBeLessThanOrEqual(60_000);
    }
  });

  test('the hits of one turn are one script call in the batch that carries the reads of that turn', async () => {
    const { client, sent } = recording(redis);
    const batcher = new RedisBatcher(client);
    const prefix = testRedisPrefix('rate-limit-batch');
    const store = new RedisRateLimitStore(batcher, prefix);
    const [read, ...hits] = await Promise.all([
      batcher.get(`${prefix}no-such-session`),
      store.hit('a', 60_000),
      store.hit('b', 60_000),
      store.hit('a', 60_000),
    ]);
    expect(read).toBeNull();
    expect(hits.map(({ count }) => count)).toEqual([1, 1, 2]);
    // One write: the session read and one script call for all three hits.
    expect(sent).toEqual(['cork', 'get', 'evalsha', 'uncork']);
  });

  test('keeps counting after Redis forgot its scripts (NOSCRIPT falls back to EVAL)', async () => {
    const store = new RedisRateLimitStore(new RedisBatcher(redis), testRedisPrefix('rate-limit-noscript'));
    expect((await store.hit('k', 60_000)).count).toBe(1);
    await redis.script('FLUSH');
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect((await store.hit('k', 60_000)).count).toBe(3);
  });

  test('fails open when Redis is unreachable: the hit counts as zero', async () => {
    const offline = unreachableRedis();
    const store = new RedisRateLimitStore(new RedisBatcher(offline), 'x:');
    expect(await store.hit('k', 60_000)).toEqual({ count: 0, resetInMs: 60_000 });
    offline.disconnect();
  });
});
