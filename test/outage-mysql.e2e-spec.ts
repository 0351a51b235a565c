import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { http } from './support/http.js';
import { startDisposableMariaDb, type DisposableMariaDb } from './support/mariadb-server.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

/** MySQL down: logins fail fast with 503 and leave no session; sessions keep working from Redis. */
describe('MySQL outage (a private MariaDB started by this test)', () => {
  let mariadb: DisposableMariaDb;
  let stack: TestStack;

  beforeAll(async () => {
    mariadb = await startDisposableMariaDb();
    stack = await startTestStack('outage-mysql', { DATABASE_URL: mariadb.url });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
    await mariadb?.dispose();
  });

  const sessionKeys = async () => (await stack.redis.keys(`${stack.redisPrefix}session:*`)).length;

  test('login answers 503 without writing a session; guarded routes are served from Redis; it heals', async () => {
    const token = await stack.loginToken();
    await mariadb.stop();
    try {
      const before = await sessionKeys();
      const { code } = await stack.sim.mintLoginCode({ appid: stack.appid });
      const started = Date.now();
      const login = await http('POST', `${stack.url}/auth/login`, { body: { code } });
      expect(login.status).toBe(503);
      expect(login.body.code).toBe('DATABASE_UNAVAILABLE');
      expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Date.now() - started).toBeLessThan(6000);
      expect(await sessionKeys()).toBe(before);

      expect((await http('GET', `${stack.url}/auth/sessions`, { token })).status).toBe(200);
      expect((await http('GET', `${stack.url}/health/ready`)).status).toBe(503);
      expect((await http('GET', `${stack.url}/health/live`)).status).toBe(200);
    } finally {
      await mariadb.start();
    }

    let recovered = 0;
    for (let i = 0; i < 50 && recovered !== 200; i++) {
      recovered = (await stack.login()).status;
      if (recovered !== 200) await sleep(200);
    }
    expect(recovered).toBe(200);
    expect((await http('GET', `${stack.url}/health/ready`)).status).toBe(200);
  }, 60_000);
});
