import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import {
  DEFAULT_SIMULATOR_APP,
  SimulatorControlClient,
  WechatSimulator,
} from '../src/wechat-simulator/index.js';
import { startAppProcess, type AppProcess } from './support/app-process.js';
import { http } from './support/http.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './support/test-services.js';
import { PRODUCTION_TEST_APP, TEST_SESSION_KEY_SECRET } from './support/test-stack.js';

/** Two real server processes over one MariaDB and one Redis: they behave as one service. */
describe('two instances on shared MariaDB and Redis', () => {
  let simulator: WechatSimulator;
  let sim: SimulatorControlClient;
  let a: AppProcess;
  let b: AppProcess;
  const appid = DEFAULT_SIMULATOR_APP.appid;

  beforeAll(async () => {
    simulator = await WechatSimulator.start({ port: 0, apps: [{ ...PRODUCTION_TEST_APP }] });
    sim = new SimulatorControlClient(simulator.url);
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_KEY_PREFIX: `${testRedisPrefix('scale-out')}${randomBytes(3).toString('hex')}:`,
      WECHAT_APPID: appid,
      WECHAT_SECRET: PRODUCTION_TEST_APP.secret,
      WECHAT_API_BASE_URL: simulator.url,
      SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
      PUBLIC_BASE_URL: 'https://api.example.com',
      RATE_LIMIT_LOGIN_PER_MINUTE: '4',
      LOG_LEVEL: 'warn',
    };
    // Started at the same moment, like a deployment rolling out two replicas.
    [a, b] = await Promise.all([startAppProcess(env), startAppProcess(env)]);
  }, 60_000);

  afterAll(async () => {
    for (const instance of [a, b]) {
      instance?.kill('SIGTERM');
      await instance?.exited;
    }
    await simulator?.close();
  });

  const loginOn = async (instance: AppProcess) => {
    const { code } = await sim.mintLoginCode({ appid });
    return http('POST', `${instance.url}/auth/login`, { body: { code } });
  };

  test('a token issued by A works on B; revoked on B, it is rejected by A', async () => {
    const login = await loginOn(a);
    expect(login.status).toBe(200);
    const token = login.body.token as string;

    expect((await http('GET', `${b.url}/users/me`, { token })).status).toBe(200);
    expect((await http('DELETE', `${b.url}/auth/sessions`, { token })).status).toBe(204);
    const rejected = await http('GET', `${a.url}/auth/sessions`, { token });
    expect(rejected.status).toBe(401);
    expect(rejected.body.code).toBe('SESSION_INVALID');
  });

  test('both need an access_token at once and make one refresh between them', async () => {
    const tokenA = (await loginOn(a)).body.token as string;
    const tokenB = (await loginOn(b)).body.token as string;
    await sim.clearRequests();

    const checks = await Promise.all([
      ...Array.from({ length: 5 }, () => http('POST', `${a.url}/auth/session-key/check`, { token: tokenA })),
      ...Array.from({ length: 5 }, () => http('POST', `${b.url}/auth/session-key/check`, { token: tokenB })),
    ]);

    expect(checks.map((r) => r.status)).toEqual(Array(10).fill(200));
    const refreshes = (await sim.requests()).filter((r) => r.path === '/cgi-bin/stable_token');
    expect(refreshes).toHaveLength(1);
  });

  test('rate limits are shared: the login budget of one client address spans both instances', async () => {
    // From a loopback address of its own (127.0.0.7), so earlier logins did not touch this budget of 4.
    const statuses: number[] = [];
    for (const instance of [a, b, a, b, a, b])
      statuses.push(await postFrom('127.0.0.7', `${instance.url}/auth/login`));
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

/** POST a bad login code from a chosen local address; resolves with the status code. */
function postFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ code: 'NoSuchCode' });
    const req = request(
      url,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
