import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { testRedisPrefix, testRedisUrl, unreachableRedis } from '../../test/support/test-services.js';
import { startDisposableRedis } from '../../test/support/redis-server.js';
import { DeadlineExceededError } from './deadline.js';
import { RedisBatcher } from './redis-batcher.js';

// The real Redis; the client is wrapped only to record what it is asked to send, and when its socket
// is corked (what is written between `cork` and `uncork` leaves in one writev).
const redis = new Redis(testRedisUrl());
const prefix = testRedisPrefix('get-batcher');
const sent: string[] = [];
const counted = new Proxy(redis, {
  get(target, property, receiver) {
    const value = Reflect.get(target, property, receiver);
    if (property === 'stream')
      return {
        cork: () => (sent.push('cork'), target.stream.cork()),
        uncork: () => (sent.push('uncork'), target.stream.uncork()),
      };
    if (!['get', 'mget', 'call'].includes(String(property))) return value;
    return (...args: unknown[]) => {
      sent.push(property === 'call' ? String(args[0]) : String(property));
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
    expect(sent).toEqual(['cork', 'mget', 'mget', 'mget', 'uncork']); // 128 + 128 + 44, one write
  });

  test('a lone GET stays a GET; later ones form a new batch', async () => {
    const batcher = new RedisBatcher(counted);
    sent.length = 0;
    expect(await batcher.get(`${prefix}k1`)).toBe('value 1 😀');
    expect(await Promise.all([batcher.get(`${prefix}k2`), batcher.get(`${prefix}k3`)])).toEqual([
      'value 2 😀',
      'value 3 😀',
    ]);
    expect(sent).toEqual(['cork', 'get', 'uncork', 'cork', 'mget', 'uncork']);
  });

  test('other commands of one turn share a write; each caller gets its own reply or error', async () => {
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
    expect(sent).toEqual(['cork', 'set', 'set', 'eval', 'get', 'uncork']);
  });

  test('GETs and other commands of one turn leave in one write (one round trip)', async () => {
    const batcher = new RedisBatcher(counted);
    sent.length = 0;
    const counter = `${prefix}counter`;
    const [first, second, incremented] = await Promise.all([
      batcher.get(`${prefix}k4`),
      batcher.get(`${prefix}missing`),
      batcher.call('incr', [counter]),
    ]);
    expect([first, second, incremented]).toEqual(['value 4 😀', null, 1]);
    expect(sent).toEqual(['cork', 'mget', 'incr', 'uncork']);
  });

  test('a failed MGET rejects every caller of that batch', async () => {
    const offline = unreachableRedis();
    const batcher = new RedisBatcher(offline);
    const results = await Promise.allSettled([batcher.get('a'), batcher.get('b')]);
    expect(results.map(({ status }) => status)).toEqual(['rejected', 'rejected']);
    offline.disconnect();
  });

  test('a hung Redis: callers with a deadline hear DeadlineExceededError in time; callers without one keep waiting', async () => {
    const server = await startDisposableRedis();
    const client = new Redis(server.url);
    try {
      await client.set('k', 'v');
      const batcher = new RedisBatcher(client);
      server.pause();
      const started = Date.now();
      let patientSettled = false;
      const patient = batcher.get('k').finally(() => (patientSettled = true));
      const late = batcher.get('k', 600);
      const results = await Promise.allSettled([batcher.get('k', 300), batcher.get('j', 300)]);
      expect(results.map(({ status }) => status)).toEqual(['rejected', 'rejected']);
      for (const result of results) {
        expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DeadlineExceededError);
      }
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(550);
      await expect(late).rejects.toThrow('no answer within 600 ms');
      expect(patientSettled).toBe(false);
      server.resume();
      await expect(patient).resolves.toBe('v');
      // Alone in its batch, a GET with a deadline is a plain GET with a timer.
      server.pause();
      await expect(batcher.get('k', 200)).rejects.toBeInstanceOf(DeadlineExceededError);
      server.resume();
    } finally {
      client.disconnect();
      await server.dispose();
    }
  });
});
