import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';
import { SimulatorControlClient } from '../../src/wechat-simulator/simulator-control.client.js';
import {
  DEFAULT_SIMULATOR_APP,
  WechatSimulator,
  type WechatSimulatorOptions,
} from '../../src/wechat-simulator/index.js';
import type { CreateAppOptions } from '../../src/bootstrap.js';
import { http, type TestResponse } from './http.js';
import { startTestApp, type RunningTestApp } from './test-app.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './test-services.js';

// Random-looking, as production requires (src/config/env.validation.ts, sessionSecretWeakness).
export const TEST_SESSION_KEY_SECRET = 'test-only-session-key-secret-7Qx2Lm9Vp4';

/**
 * The simulator app for servers run with NODE_ENV=production: same appid as DEFAULT_SIMULATOR_APP, but
 * not its published secret, which production refuses.
 */
export const PRODUCTION_TEST_APP = Object.freeze({
  appid: DEFAULT_SIMULATOR_APP.appid,
  secret: randomBytes(16).toString('hex'),
});

export interface TestStack {
  app: RunningTestApp;
  /** Base URL of the app, e.g. http://127.0.0.1:40123 */
  url: string;
  simulator: WechatSimulator;
  sim: SimulatorControlClient;
  appid: string;
  /** Raw Redis connection on the same server, for assertions. */
  redis: Redis;
  /** Raw DataSource on the run's MariaDB database, for assertions. */
  db: DataSource;
  /** Every Redis key this stack's app writes starts with this. */
  redisPrefix: string;
  /** wx.login stand-in + POST /auth/login; returns the login response. */
  login(options?: { openid?: string; unionid?: string; userAgent?: string }): Promise<TestResponse>;
  /** Logs in and returns just the token (asserting 200). */
  loginToken(options?: { openid?: string; unionid?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * The whole product as a mini program sees it: the real app on MariaDB + Redis, talking over HTTP
 * to the WeChat simulator. `env` adds or overrides app settings (e.g. small session TTLs).
 */
export async function startTestStack(
  label: string,
  env: Record<string, string | undefined> = {},
  simulatorOptions: WechatSimulatorOptions = {},
  appOptions: CreateAppOptions = {},
): Promise<TestStack> {
  // Bound to an Open Platform account, so logins can carry a unionid as in production.
  const simulator = await WechatSimulator.start({
    port: 0,
    apps: [{ ...DEFAULT_SIMULATOR_APP, openPlatformId: 'test-open-platform' }],
    ...simulatorOptions,
  });
  const redisPrefix = `${testRedisPrefix(label)}${randomBytes(3).toString('hex')}:`;
  const app = await startTestApp(
    {
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: redisPrefix,
      WECHAT_APPID: DEFAULT_SIMULATOR_APP.appid,
      WECHAT_SECRET: DEFAULT_SIMULATOR_APP.secret,
      WECHAT_API_BASE_URL: simulator.url,
      WECHAT_TIMEOUT_MS: '1500',
      SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
      ...env,
    },
    appOptions,
  );
  const sim = new SimulatorControlClient(simulator.url);
  const redis = new Redis(testRedisUrl());
  const db = new DataSource(
    buildDataSourceOptions({ kind: 'mysql', url: testDatabaseUrl(), migrationsRun: false }),
  );
  await db.initialize();
  const appid = DEFAULT_SIMULATOR_APP.appid;

  const login: TestStack['login'] = async (options = {}) => {
    const { code } = await sim.mintLoginCode({ appid, openid: options.openid, unionid: options.unionid });
    return http('POST', `${app.url}/auth/login`, {
      body: { code },
      headers: options.userAgent ? { 'user-agent': options.userAgent } : {},
    });
  };
  return {
    app,
    url: app.url,
    simulator,
    sim,
    appid,
    redis,
    db,
    redisPrefix,
    login,
    async loginToken(options) {
      const response = await login(options);
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
      return response.body.token as string;
    },
    async close() {
      await app.close();
      await simulator.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

/** A fresh 28-character openid, as WeChat shapes them. */
export function newOpenid(): string {
  return 'o' + randomBytes(21).toString('base64url').slice(0, 27);
}
