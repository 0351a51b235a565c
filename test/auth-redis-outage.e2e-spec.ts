import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { http } from './support/http.js';
import { startDisposableRedis, type DisposableRedis } from './support/redis-server.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

/** Fail closed and fast: a Redis outage answers 503 within 2 s, never 401 or 200, and heals by itself. */
describe('Redis outage (a private redis-server started by this test)', () => {
  let redis: DisposableRedis;
  let stack: TestStack;

  beforeAll(async () => {
    redis = await startDisposableRedis();
    stack = await startTestStack('auth-redis-outage', { REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await stack.close();
    await redis.dispose();
  });

  const timed = async (request: () => Promise<{ status: number; body: any }>) => {
    const started = Date.now();
    const response = await request();
    return { ...response, ms: Date.now() - started };
  };
  const sessions = (token: string) => timed(() => http('GET', `${stack.url}/auth/sessions`, { token }));
  const waitFor = async (condition: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await condition()); i++) await sleep(100);
  };

  test('a hung Redis: 503 within 2 s on guarded routes and login, readiness down, liveness up; then it recovers', async () => {
    const token = await stack.loginToken();
    redis.pause();
    try {
      // Under load too: 50 requests at once, each must get its 503 within 2 s (no queueing behind timeouts).
      const guarded = await Promise.all(Array.from({ length: 50 }, () => sessions(token)));
      expect(new Set(guarded.map((r) => `${r.status} ${r.body.code}`))).toEqual(
        new Set(['503 SESSION_STORE_UNAVAILABLE']),
      );
      expect(Math.max(...guarded.map((r) => r.ms))).toBeLessThan(2000);

      const { code } = await stack.sim.mintLoginCode({ appid: stack.appid });
      const login = await timed(() => http('POST', `${stack.url}/auth/login`, { body: { code } }));
      expect(login.status).toBe(503);
      expect(login.ms).toBeLessThan(2000);

      expect((await http('GET', `${stack.url}/health/ready`)).status).toBe(503);
      expect((await http('GET', `${stack.url}/health/live`)).status).toBe(200);
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await sessions(token)).status === 200);
    expect((await sessions(token)).status).toBe(200);
  });

  test('a stopped Redis: 503 at once, and service resumes when it is back, without a restart', async () => {
    const token = await stack.loginToken();
    await redis.stop();
    const guarded = await sessions(token);
    expect(guarded.status).toBe(503);
    expect(guarded.ms).toBeLessThan(2000);

    await redis.start();
    await waitFor(async () => (await http('GET', `${stack.url}/health/ready`)).status === 200);
    // The private server keeps nothing on disk, so the old session is gone: 401, not 503.
    expect((await sessions(token)).status).toBe(401);
    const fresh = await stack.loginToken();
    expect((await sessions(fresh)).status).toBe(200);
  });
});
