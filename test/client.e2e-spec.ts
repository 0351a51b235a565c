import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthClient, type AuthClient } from '../client/src/auth-client.js';
import { AuthClientError } from '../client/src/errors.js';
import type { AuthClientOptions, LoginResult, SessionSummary } from '../client/src/types.js';
import { NodeWx, type WxHttpExchange } from './support/node-wx.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

/** One phone running the mini program: its `wx`, the client on top, and every HTTP call it made. */
interface Device {
  wx: NodeWx;
  client: AuthClient;
  exchanges: WxHttpExchange[];
  /** How many `POST /auth/login` this device sent. */
  logins(): number;
}

function device(stack: TestStack, options: { openid?: string } & Partial<AuthClientOptions> = {}): Device {
  const exchanges: WxHttpExchange[] = [];
  const { openid, ...clientOptions } = options;
  const wx = new NodeWx({
    simulatorUrl: stack.simulator.url,
    appid: stack.appid,
    openid,
    userAgent: 'jest MicroMessenger miniProgram',
    onExchange: (exchange) => exchanges.push(exchange),
  });
  const client = createAuthClient({ baseUrl: stack.url, appid: stack.appid, wx, ...clientOptions });
  const logins = () =>
    exchanges.filter((e) => e.method === 'POST' && new URL(e.url).pathname === '/auth/login').length;
  return { wx, client, exchanges, logins };
}

async function jscode2sessionCalls(stack: TestStack): Promise<number> {
  return (await stack.sim.requests()).filter((r) => r.path === '/sns/jscode2session').length;
}

/** A token of the right shape that the server never issued. */
const UNKNOWN_TOKEN = 'A'.repeat(43);

function caught(promise: Promise<unknown>): Promise<AuthClientError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(AuthClientError);
      return error as AuthClientError;
    },
  );
}

describe('mini-program client against the real server (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('client');
  });

  afterAll(async () => {
    await stack.close();
  });

  beforeEach(async () => {
    await stack.sim.clearRequests();
  });

  afterEach(async () => {
    await stack.sim.clearFaults();
  });

  test('ensureLogin logs in once, stores the session, and then trusts it while wx.checkSession passes', async () => {
    const { wx, client, logins } = device(stack);

    const session = await client.ensureLogin();
    expect(session).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: expect.objectContaining({ id: expect.any(Number) }),
    });
    expect(client.getSession()).toEqual(session);

    await expect(client.ensureLogin()).resolves.toEqual(session);
    expect(wx.calls.login).toBe(1);
    expect(logins()).toBe(1);
    expect(wx.calls.checkSession).toBe(1);

    // WeChat dropped the session_key: checkSession fails, so log in again to give the server a fresh one.
    wx.expireWechatSession();
    const renewed = await client.ensureLogin();
    expect(renewed.token).not.toBe(session.token);
    expect(renewed.user.id).toBe(session.user.id);
    expect(wx.calls.login).toBe(2);
  });

  test('10 concurrent requests on a cold start share one wx.login and one POST /auth/login', async () => {
    const { wx, client, logins } = device(stack);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.request<SessionSummary[]>({ path: '/auth/sessions' })),
    );

    for (const sessions of results) expect(sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(wx.calls.login).toBe(1);
    expect(logins()).toBe(1);
    expect(await jscode2sessionCalls(stack)).toBe(1);
  });

  test('10 concurrent requests with a token the server rejects: one wx.login, one POST /auth/login, all succeed', async () => {
    const { wx, client, logins, exchanges } = device(stack);
    const first = await client.login();
    // Stored by an older install or revoked server-side: well-formed, unknown to the server.
    wx.setStorageSync('weapp-auth:session', { ...first, token: UNKNOWN_TOKEN });
    await stack.sim.clearRequests();

    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.request<SessionSummary[]>({ path: '/auth/sessions' })),
    );

    for (const sessions of results) expect(sessions.some((s) => s.current)).toBe(true);
    expect(wx.calls.login).toBe(2);
    expect(logins()).toBe(2);
    expect(await jscode2sessionCalls(stack)).toBe(1);
    const rejected = exchanges.filter((e) => e.status === 401);
    expect(rejected).toHaveLength(10);
    for (const e of rejected) expect(e.responseBody).toMatchObject({ code: 'SESSION_INVALID' });
    expect(client.getSession()?.token).not.toBe(UNKNOWN_TOKEN);
    expect(client.getSession()?.user.id).toBe(first.user.id);
  });

  test('a session revoked from another device recovers through exactly one re-login', async () => {
    const phone = device(stack);
    await phone.client.login();
    const tablet = device(stack, { openid: phone.wx.openid });
    await tablet.client.login();
    expect(await tablet.client.listSessions()).toHaveLength(2);

    await tablet.client.revokeAllSessions();
    expect(tablet.client.getSession()).toBeNull();

    const sessions = await phone.client.listSessions();
    expect(sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(phone.wx.calls.login).toBe(2);
    expect(phone.logins()).toBe(2);
    const statuses = phone.exchanges.map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`);
    expect(statuses).toEqual([
      'POST /auth/login 200',
      'GET /auth/sessions 401',
      'POST /auth/login 200',
      'GET /auth/sessions 200',
    ]);
  });

  test('a login that meets a WeChat hiccup (503 + Retry-After: 1) retries with a fresh code and succeeds', async () => {
    const { wx, client, exchanges } = device(stack);
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1, times: 1 });

    const started = Date.now();
    const session = await client.login();

    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(wx.calls.login).toBe(2);
    expect(exchanges.map((e) => e.status)).toEqual([503, 200]);
    expect(exchanges[0].responseHeader['retry-after']).toBe('1');
    const codes = exchanges.map((e) => (e.requestBody as { code: string }).code);
    expect(codes[0]).not.toBe(codes[1]);
  });

  test('a spent login code (LOGIN_CODE_USED) gets a fresh wx.login at once', async () => {
    const { wx, client, exchanges } = device(stack);
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: 40163, times: 1 });

    await client.login();

    expect(wx.calls.login).toBe(2);
    expect(exchanges.map((e) => [e.status, (e.responseBody as { code?: string }).code])).toEqual([
      [401, 'LOGIN_CODE_USED'],
      [200, undefined],
    ]);
  });

  test('a lasting 503 is surfaced as AuthClientError with the server code after one bounded retry, not looped on', async () => {
    const { wx, client, logins } = device(stack);
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1, times: 'unlimited' });

    // Ten callers still share one login flight, so the retry budget is spent once, not ten times.
    const errors = await Promise.all(
      Array.from({ length: 10 }, () => caught(client.request({ path: '/auth/sessions' }))),
    );

    for (const error of errors) {
      expect(error).toMatchObject({ code: 'WECHAT_UNAVAILABLE', status: 503, retryAfter: 1 });
      expect(error.retryable).toBe(true);
    }
    expect(wx.calls.login).toBe(2);
    expect(logins()).toBe(2);
    expect(await jscode2sessionCalls(stack)).toBe(2);
    expect(client.getSession()).toBeNull();
  });

  test('a Retry-After longer than maxRetryAfter (429, 60 s) surfaces at once', async () => {
    const { wx, client } = device(stack);
    await stack.sim.injectFault({
      api: 'jscode2session',
      type: 'errcode',
      errcode: 45011,
      times: 'unlimited',
    });

    const error = await caught(client.login());

    expect(error).toMatchObject({ code: 'WECHAT_RATE_LIMITED', status: 429, retryAfter: 60 });
    expect(wx.calls.login).toBe(1);
  });

  test('maxRetries: 0 makes a 503 fail on the first answer', async () => {
    const { wx, client } = device(stack, { maxRetries: 0 });
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1, times: 'unlimited' });

    await expect(caught(client.login())).resolves.toMatchObject({ code: 'WECHAT_UNAVAILABLE' });
    expect(wx.calls.login).toBe(1);
  });

  test('other errors surface with the server code and are not retried', async () => {
    const { client, exchanges } = device(stack);
    await client.login();

    const error = await caught(client.revokeSession('no-such-session'));

    expect(error).toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404 });
    expect(exchanges.filter((e) => e.method === 'DELETE')).toHaveLength(1);
  });

  test('logout ends the session on the server and forgets it locally; the next request logs in again', async () => {
    const { wx, client, exchanges } = device(stack);
    const { token } = await client.login();

    await client.logout();

    expect(client.getSession()).toBeNull();
    const logout = exchanges.find((e) => new URL(e.url).pathname === '/auth/logout');
    expect(logout?.status).toBe(204);
    expect(logout?.requestHeader.Authorization).toBe(`Bearer ${token}`);
    const reused = await fetch(`${stack.url}/auth/sessions`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reused.status).toBe(401);

    await client.listSessions();
    expect(wx.calls.login).toBe(2);
    await expect(client.logout()).resolves.toBeUndefined();
  });

  test('a declined phone-number button fails locally with PHONE_NUMBER_DENIED', async () => {
    const { client, exchanges } = device(stack);

    const error = await caught(
      client.getPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } }),
    );

    expect(error).toMatchObject({ code: 'PHONE_NUMBER_DENIED', status: 0 });
    expect(exchanges).toHaveLength(0);
  });

  test('an unreachable server is a NETWORK_ERROR, not a retry loop', async () => {
    const wx = new NodeWx({ simulatorUrl: stack.simulator.url, appid: stack.appid });
    // Port 9 (discard) on loopback: nothing listens there.
    const client = createAuthClient({ baseUrl: 'http://127.0.0.1:9', wx, timeout: 2000 });

    await expect(caught(client.login())).resolves.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(wx.calls.request).toBe(1);
  });
});

describe('mini-program client with sessions that really expire (2 s idle)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('client-expiry', {
      SESSION_IDLE_TTL: '2',
      SESSION_TOUCH_INTERVAL: '1',
      SESSION_ABSOLUTE_TTL: '4',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('10 concurrent requests after the session expired: one wx.login, one POST /auth/login, all succeed', async () => {
    const { wx, client, exchanges, logins } = device(stack, { openid: newOpenid() });
    const first: LoginResult = await client.login();
    await sleep(2300);
    await stack.sim.clearRequests();

    const results = await Promise.all(
      Array.from({ length: 10 }, () => client.request<SessionSummary[]>({ path: '/auth/sessions' })),
    );

    for (const sessions of results) expect(sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(wx.calls.login).toBe(2);
    expect(logins()).toBe(2);
    expect(await jscode2sessionCalls(stack)).toBe(1);
    const rejected = exchanges.filter((e) => e.status === 401);
    expect(rejected).toHaveLength(10);
    for (const e of rejected)
      expect(e.responseBody).toMatchObject({ code: expect.stringMatching(/^SESSION_/) });
    expect(client.getSession()?.token).not.toBe(first.token);
  });
});
