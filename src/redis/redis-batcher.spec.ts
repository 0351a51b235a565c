import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl, unreachableRedis } from '../../test/support/test-services.js';
import { RedisBatcher } from './redis-batcher.js';

// The real Redis; the client is wrapped only to count which commands it was asked to send.
const redis = new Redis(testRedisUrl());
const prefix = testRedisPrefix('get-batcher');
const sent: string[] = [];
const counted = new Proxy(redis, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver);
    if (!['get', 'mget', 'call', 'pipeline'].includes(String(property))) return value;
    return (...args: unknown[]) => {
      sent.push(String(property));
      return (value as (...a: unknown[]) => unknown).apply(target, args);
    };
  },
});

beforeAll(async () => {
  for (let i = 0; i < 300; i++) await redis.set(`${prefix}k${i}`, `value ${i} 😀`, 'EX', 60);
});
afterAll(() => redis.disconnect());

describe('RedisBatcher', () => {
  test('GETs issued together leave as MGETs of at most 128 keys, and each caller gets its own value', async () => {
    const batcher = new RedisBatcher(counted);
    sent.length = 0;
    const keys = Array.from({ length: 300 }, (_, i) =>
      i % 7 === 0 ? `${prefix}missing${i}` : `${prefix}k${i}`,
    );
    const values = await Promise.all(keys.map((key) => batcher.get(key)));
    expect(values).toEqual(keys.map((key, i) => (key.includes('missing') ? null : `value ${i} 😀`)));
    expect(sent).toEqual(['mget', 'mget', 'mget']); // 128 + 128 + 44
  });

  test('a lone GET stays a GET; later ones form a new batch', async () => {
    const batcher = new RedisBatcher(counted);
    sent.length = 0;
    expect(await batcher.get(`${prefix}k1`)).toBe('value 1 😀');
    expect(await Promise.all([batcher.get(`${prefix}k2`), batcher.get(`${prefix}k3`)])).toEqual([
      'value 2 😀',
      'value 3 😀',
    ]);
    expect(sent).toEqual(['get', 'mget']);
  });

  test('other commands of one turn share a pipeline; each caller gets its own reply or error', async () => {
    const batcher = new RedisBatcher(counted);
    sent.length = 0;
    const key = `${prefix}claim`;
    const results = await Promise.allSettled([
      batcher.call('set', [key, 'first', 'PX', 60_000, 'NX']),
      batcher.call('set', [key, 'second', 'PX', 60_000, 'NX']),
      batcher.call('eval', ['return redis.call("NOSUCHCOMMAND")', 0]),
      batcher.call('get', [key]),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'OK' });
    expect(results[1]).toEqual({ status: 'fulfilled', value: null });
    expect(results[2].status).toBe('rejected');
    expect(results[3]).toEqual({ status: 'fulfilled', value: 'first' });
    expect(sent).toEqual(['pipeline']);
  });

  test('a failed MGET rejects every caller of that batch', async () => {
    const offline = unreachableRedis();
    const batcher = new RedisBatcher(offline);
    const results = await Promise.allSettled([batcher.get('a'), batcher.get('b')]);
    expect(results.map(({ status }) => status)).toEqual(['rejected', 'rejected']);
    offline.disconnect();
  });
});
