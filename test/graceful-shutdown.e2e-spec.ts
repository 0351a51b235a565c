import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  DEFAULT_SIMULATOR_APP,
  SimulatorControlClient,
  WechatSimulator,
} from '../src/wechat-simulator/index.js';
import { startAppProcess } from './support/app-process.js';
import { http } from './support/http.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './support/test-services.js';
import { PRODUCTION_TEST_APP, TEST_SESSION_KEY_SECRET } from './support/test-stack.js';

describe('graceful shutdown of a real server process', () => {
  let simulator: WechatSimulator;
  let redis: Redis;

  beforeAll(async () => {
    simulator = await WechatSimulator.start({ port: 0, apps: [{ ...PRODUCTION_TEST_APP }] });
    redis = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    redis.disconnect();
    await simulator.close();
  });

  test('SIGTERM: readiness 503, the in-flight login (waiting on WeChat) completes, then exit 0', async () => {
    const prefix = `${testRedisPrefix('shutdown')}${randomBytes(3).toString('hex')}:`;
    const app = await startAppProcess({
      NODE_ENV: 'production',
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: prefix,
      WECHAT_APPID: DEFAULT_SIMULATOR_APP.appid,
      WECHAT_SECRET: PRODUCTION_TEST_APP.secret,
      WECHAT_API_BASE_URL: simulator.url,
      SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
      PUBLIC_BASE_URL: 'https://api.example.com',
      SHUTDOWN_DRAIN_MS: '500',
      SHUTDOWN_GRACE_MS: '8000',
      LOG_LEVEL: 'info',
    });
    const sim = new SimulatorControlClient(simulator.url);
    const { code } = await sim.mintLoginCode({ appid: DEFAULT_SIMULATOR_APP.appid });
    await sim.injectFault({ api: 'jscode2session', type: 'delay', delayMs: 1500 });
    expect((await http('GET', `${app.url}/health/ready`)).status).toBe(200);

    const inFlight = http('POST', `${app.url}/auth/login`, { body: { code } });
    await sleep(300);
    const signalledAt = Date.now();
    app.kill('SIGTERM');
    await sleep(100);
    const ready = await http('GET', `${app.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body.code).toBe('SHUTTING_DOWN');
    expect((await http('GET', `${app.url}/health/live`)).status).toBe(200);

    const login = await inFlight;
    expect(login.status).toBe(200);
    const exitCode = await app.exited;
    if (exitCode !== 0) console.log(app.output());
    expect(exitCode).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8000);
    expect(app.output()).toMatch(/shutdown complete/);
    // The login finished writing its session before Redis was closed.
    const tokenHash = createHash('sha256').update(login.body.token).digest('base64url');
    expect(await redis.exists(`${prefix}session:{${tokenHash}}`)).toBe(1);
  }, 30_000);
});
