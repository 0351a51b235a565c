import { afterAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl, unreachableRedis } from '../../test/support/test-services.js';
import { RedisBatcher } from '../redis/redis-batcher.js';
import { BudgetSlices, type Reservation } from './budget-slices.js';
import { RedisRateLimitStore, type RateLimitHit } from './rate-limit.store.js';

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

/** One hit against `limit`, as the guard counts it. */
const count = (store: RedisRateLimitStore, key: string, limit: number, windowMs = 60_000) =>
  new Promise<RateLimitHit>((resolve) => store.count(key, windowMs, resolve, limit));

/** The counter behind `key` as Redis holds it. */
const counterIn = async (prefix: string, key: string) =>
  Number(await redis.get(`${prefix}ratelimit:{${key}}`));

describe('RedisRateLimitStore, limits of 40 and more: counted in slices', () => {
  test('one reservation covers a slice of hits (a twentieth of the limit); within one instance the limit is exact', async () => {
    const { client, sent } = recording(redis);
    const prefix = testRedisPrefix('rate-limit-slices');
    const store = new RedisRateLimitStore(new RedisBatcher(client), prefix);
    const first = await count(store, 'session:a', 100);
    expect(first.count).toBe(1);
    expect(first.resetInMs).toBeGreaterThan(59_000);
    // The slice of 5 was reserved: Redis counts the reservation, not the hits.
    expect(await counterIn(prefix, 'session:a')).toBe(5);
    const counts = [first.count];
    for (let i = 0; i < 100; i++) counts.push((await count(store, 'session:a', 100)).count);
    expect(counts.slice(0, 100)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(counts[100]).toBeGreaterThan(100);
    // 20 reservations for the 100 allowed hits, one more that found the budget spent.
    expect(sent.filter((command) => command === 'evalsha')).toHaveLength(21);
  });

  test('once the budget is spent, hits are refused from memory until the window ends; then it is back', async () => {
    const { client, sent } = recording(redis);
    const prefix = testRedisPrefix('rate-limit-spent');
    const store = new RedisRateLimitStore(new RedisBatcher(client), prefix);
    for (let i = 0; i < 40; i++) expect((await count(store, 'k', 40, 400)).count).toBe(i + 1);
    const refused = await count(store, 'k', 40, 400);
    expect(refused.count).toBeGreaterThan(40);
    expect(refused.resetInMs).toBeLessThanOrEqual(400);
    const commands = sent.length;
    for (let i = 0; i < 5; i++) expect((await count(store, 'k', 40, 400)).count).toBeGreaterThan(40);
    expect(sent).toHaveLength(commands);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await count(store, 'k', 40, 400)).toMatchObject({ count: 1 });
  });

  test('hits arriving while a reservation is out wait for it, and reserve further slices as needed', async () => {
    const prefix = testRedisPrefix('rate-limit-burst');
    const store = new RedisRateLimitStore(new RedisBatcher(redis), prefix);
    const hits = await Promise.all(Array.from({ length: 12 }, () => count(store, 'k', 100)));
    expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(await counterIn(prefix, 'k')).toBe(15);
  });

  test('several instances never allow more than the limit between them, and refuse at most a slice each early', async () => {
    const prefix = testRedisPrefix('rate-limit-instances');
    const instances = [0, 1, 2].map(() => new RedisRateLimitStore(new RedisBatcher(redis), prefix));
    let allowed = 0;
    for (let round = 0; round < 60; round++) {
      const hits = await Promise.all(instances.map((store) => count(store, 'shared', 100)));
      allowed += hits.filter((hit) => hit.count <= 100).length;
    }
    expect(allowed).toBeLessThanOrEqual(100);
    expect(allowed).toBeGreaterThanOrEqual(100 - 3 * 5);
  });

  test('limits under 40 are counted hit by hit', async () => {
    const prefix = testRedisPrefix('rate-limit-small');
    const store = new RedisRateLimitStore(new RedisBatcher(redis), prefix);
    for (let i = 1; i <= 3; i++) expect((await count(store, 'k', 39)).count).toBe(i);
    expect(await counterIn(prefix, 'k')).toBe(3);
  });

  test('a reservation that fails lets its hits through and keeps no slice', async () => {
    const offline = unreachableRedis();
    const store = new RedisRateLimitStore(new RedisBatcher(offline), 'x:');
    const hits = await Promise.all([count(store, 'k', 600), count(store, 'k', 600)]);
    expect(hits).toEqual([
      { count: 0, resetInMs: 60_000 },
      { count: 0, resetInMs: 60_000 },
    ]);
    expect(await count(store, 'k', 600)).toEqual({ count: 0, resetInMs: 60_000 });
    offline.disconnect();
  });
});

describe('BudgetSlices', () => {
  /** Reservations made straight in Redis, as the store's script does them. */
  const reserveIn =
    (prefix: string) =>
    (key: string, windowMs: number, amount: number, done: (reply: Reservation | null) => void): void => {
      const full = `${prefix}${key}`;
      void redis
        .multi()
        .incrby(full, amount)
        .pexpire(full, windowMs, 'NX')
        .pttl(full)
        .exec()
        .then((replies) => done({ total: Number(replies?.[0][1]), ttlMs: Number(replies?.[2][1]) }));
    };

  test('holds slices for a bounded number of keys; past it, take() declines and the caller counts exactly', async () => {
    const slices = new BudgetSlices(reserveIn(testRedisPrefix('slices-bound')), {
      maxKeys: 2,
      sweepIntervalMs: 0,
    });
    const take = (key: string, windowMs = 60_000) =>
      new Promise<RateLimitHit | false>((resolve) => {
        if (!slices.take(key, windowMs, 100, resolve)) resolve(false);
      });
    expect(await take('a', 200)).toMatchObject({ count: 1 });
    expect(await take('b', 200)).toMatchObject({ count: 1 });
    expect(await take('c')).toBe(false);
    expect(slices.size).toBe(2);
    // Ended windows are swept to make room.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await take('c')).toMatchObject({ count: 1 });
    expect(slices.size).toBe(1);
  });
});
