import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthClient, type AuthClient } from '../client/src/auth-client.js';
import { AccountConflictError, AuthClientError } from '../client/src/errors.js';
import type {
  AuthClientOptions,
  LoginResult,
  PrivacyConsentHandler,
  SessionSummary,
  UserProfile,
} from '../client/src/types.js';
import { ANONYMOUS_USER_INFO, NodeWx, type NodeWxOptions, type WxHttpExchange } from '../scripts/node-wx.js';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

/** One phone running the mini program: its `wx`, the client on top, and every HTTP call it made. */
interface Device {
  wx: NodeWx;
  client: AuthClient;
  exchanges: WxHttpExchange[];
  /** How many `POST /auth/login` this device sent. */
  logins(): number;
}

type DeviceWxOptions = Pick<NodeWxOptions, 'openid' | 'privacyConsentNeeded' | 'userInfo'>;

function device(stack: TestStack, options: DeviceWxOptions & Partial<AuthClientOptions> = {}): Device {
  const exchanges: WxHttpExchange[] = [];
  const { openid, privacyConsentNeeded, userInfo, ...clientOptions } = options;
  const wx = new NodeWx({
    simulatorUrl: stack.simulator.url,
    appid: stack.appid,
    openid,
    privacyConsentNeeded,
    userInfo,
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

/** The app's privacy popup: the user taps the agree button, or refuses. */
function consentPopup(wx: NodeWx, answer: 'agree' | 'disagree', asked: string[] = []): PrivacyConsentHandler {
  return async ({ referrer }) => {
    asked.push(referrer);
    if (answer === 'disagree') return { event: 'disagree' };
    wx.tapAgreePrivacyButton('agree-btn');
    return { event: 'agree', buttonId: 'agree-btn' };
  };
}

/** A 1×1 PNG in a temp file: what `<button open-type="chooseAvatar">` hands over. */
async function avatarTempFile(): Promise<string> {
  const path = join(tmpdir(), `weapp-auth-client-avatar-${process.pid}.png`);
  const png =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
  await writeFile(path, Buffer.from(png, 'base64'));
  return path;
}

const routes = (exchanges: WxHttpExchange[]) =>
  exchanges.map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}`);

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

describe('mini-program client: profile, privacy consent and account lifecycle (issue 16)', () => {
  let stack: TestStack;

  /** The seeds' userInfo, as wx.getUserProfile handed it over before 2022-11. */
  const SEED_USER_INFO: WechatMiniprogram.UserInfo = {
    nickName: '小程序用户😀',
    avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTLseedseedseed/132',
    gender: 1,
    province: 'Guangdong',
    city: 'Guangzhou',
    country: 'China',
    language: 'zh_CN',
  };

  beforeAll(async () => {
    stack = await startTestStack('client-lifecycle');
  });

  afterAll(async () => {
    await stack.close();
  });

  test('a phone-number tap waits for the privacy popup; agreed, the number is bound', async () => {
    const { wx, client, exchanges } = device(stack, { privacyConsentNeeded: true });
    const asked: string[] = [];
    client.privacy.onNeedConsent(consentPopup(wx, 'agree', asked));
    await client.login();

    const event = await wx.phoneNumberEvent('13800138000');
    const user = await client.getPhoneNumber(event);

    expect(asked).toEqual(['button.getPhoneNumber']);
    expect(user).toMatchObject({ phoneNumber: '13800138000', countryCode: '86' });
    expect(routes(exchanges)).toEqual(['POST /auth/login 200', 'POST /users/me/phone 200']);
  });

  test('a refused privacy popup fails the phone-number tap with PRIVACY_NOT_AUTHORIZED and sends nothing', async () => {
    const { wx, client, exchanges } = device(stack, { privacyConsentNeeded: true });
    client.privacy.onNeedConsent(consentPopup(wx, 'disagree'));
    await client.login();

    const error = await caught(client.getPhoneNumber(await wx.phoneNumberEvent('13800138000')));

    expect(error).toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED', status: 0 });
    expect(error.message).toBe('getPhoneNumber:fail privacy permission is not authorized');
    expect(routes(exchanges)).toEqual(['POST /auth/login 200']);
  });

  test('the 2022+ flow behind consent: nickname input and chooseAvatar wait for one popup, then save', async () => {
    const { wx, client } = device(stack, { privacyConsentNeeded: true });
    const asked: string[] = [];
    client.privacy.onNeedConsent(consentPopup(wx, 'agree', asked));
    await client.ensureLogin();

    const [nickname, avatar] = await Promise.all([
      wx.nicknameInput('小明😀'),
      wx.chooseAvatarEvent(await avatarTempFile()),
    ]);
    await client.updateProfile({ nickname });
    const user = await client.uploadAvatar(avatar.detail.avatarUrl);

    expect(asked).toHaveLength(1);
    expect(user.nickname).toBe('小明😀');
    expect(user.avatarUrl).toMatch(/\/avatars\/[0-9a-f]{64}\.jpg$/);
  });

  test('the seeds’ sequence: checkSession → wx.login → server login → getUserProfile → userInfo saved with the token', async () => {
    const { wx, client, exchanges } = device(stack, { userInfo: SEED_USER_INFO });
    await client.login(); // an earlier visit left a token in storage…
    wx.expireWechatSession(); // …and WeChat has dropped the session_key since

    await client.ensureLogin(); // wx.checkSession fails → wx.login → POST /auth/login
    const saved = await client.saveWechatUserInfo(); // wx.getUserProfile → PUT /users/me with the token

    expect(wx.calls).toMatchObject({ checkSession: 1, login: 2, getUserProfile: 1 });
    expect(routes(exchanges)).toEqual(['POST /auth/login 200', 'POST /auth/login 200', 'PUT /users/me 200']);
    const put = exchanges.find((e) => e.method === 'PUT');
    expect(put?.requestBody).toEqual(SEED_USER_INFO);
    expect(put?.requestHeader.Authorization).toBe(`Bearer ${client.getSession()?.token}`);
    const expected: Partial<UserProfile> = {
      nickname: '小程序用户😀',
      avatarUrl: SEED_USER_INFO.avatarUrl,
      gender: 1,
      province: 'Guangdong',
      city: 'Guangzhou',
      country: 'China',
      language: 'zh_CN',
    };
    expect(saved).toMatchObject(expected);
    await expect(client.getProfile()).resolves.toMatchObject(expected);

    // Today WeChat answers with the anonymous placeholder: saving it again changes nothing.
    wx.userInfo = { ...ANONYMOUS_USER_INFO };
    await expect(client.saveWechatUserInfo()).resolves.toMatchObject(expected);
    await expect(client.getProfile()).resolves.toMatchObject(expected);
  });

  test('exportData returns what the server holds about the user, without token or session_key', async () => {
    const { wx, client } = device(stack);
    const { token } = await client.login();
    await client.updateProfile({ nickname: '导出😀' });
    await client.getPhoneNumber(await wx.phoneNumberEvent('13900139000'));

    const exported = await client.exportData();

    expect(exported).toMatchObject({
      profile: { nickname: '导出😀', phoneNumber: '13900139000' },
      phone: { phoneNumber: '13900139000', countryCode: '86' },
      wechat: { appid: stack.appid, openid: wx.openid },
      sessions: [expect.objectContaining({ current: true, userAgent: 'jest MicroMessenger miniProgram' })],
    });
    const text = JSON.stringify(exported);
    expect(text).toContain('导出😀');
    expect(text).toContain('13900139000');
    expect(text).not.toContain(token);
    const key = await stack.sim.getSessionKey(stack.appid, wx.openid!);
    expect(key?.sessionKey).toBeTruthy();
    expect(text).not.toContain(key!.sessionKey);
  });

  test('deleteAccount: 204, the token is forgotten and dead, and the next login is a new, empty account', async () => {
    const { wx, client, exchanges } = device(stack);
    const first = await client.login();
    await client.updateProfile({ nickname: '再见😀' });

    await client.deleteAccount();

    expect(client.getSession()).toBeNull();
    expect(routes(exchanges).slice(-1)).toEqual(['DELETE /users/me 204']);
    const stale = await fetch(`${stack.url}/users/me`, {
      headers: { authorization: `Bearer ${first.token}` },
    });
    expect(stale.status).toBe(401);

    const fresh = await client.getProfile();
    expect(wx.calls.login).toBe(2);
    expect(fresh.id).not.toBe(first.user.id);
    expect(fresh.nickname).toBeNull();
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

describe('mini-program client: phone-number login across two mini programs (issue 19)', () => {
  // Two mini programs of one company, no Open Platform account: only the verified phone number links them.
  const APP_A = DEFAULT_SIMULATOR_APP;
  const APP_B = { appid: 'wx00000000000000b2', secret: 'b2'.repeat(16) };
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(
      'client-phone-login',
      { WECHAT_APPID: `${APP_A.appid},${APP_B.appid}`, WECHAT_SECRET: `${APP_A.secret},${APP_B.secret}` },
      { apps: [APP_A, APP_B] },
    );
  });

  afterAll(async () => {
    await stack.close();
  });

  /** A phone in one of the two apps, with a fresh WeChat user unless `openid` says who. */
  function phoneIn(appid: string, openid = newOpenid()) {
    const exchanges: WxHttpExchange[] = [];
    const wx = new NodeWx({
      simulatorUrl: stack.simulator.url,
      appid,
      openid,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    return { wx, client: createAuthClient({ baseUrl: stack.url, appid, wx }), exchanges };
  }

  /** Someone who logged in to app A and bound `phoneNumber` there: their user id. */
  async function phoneOwnerInA(phoneNumber: string): Promise<number> {
    const { wx, client } = phoneIn(APP_A.appid);
    await client.login();
    const user = await client.getPhoneNumber(await wx.phoneNumberEvent(phoneNumber));
    expect(user.phoneNumber).toBe(phoneNumber);
    return user.id;
  }

  test('loginWithPhoneNumber: one wx.login and one POST /auth/login with the phone code; the session is stored and works', async () => {
    const { wx, client, exchanges } = phoneIn(APP_B.appid);

    const result = await client.loginWithPhoneNumber(await wx.phoneNumberEvent('13700000001'));

    expect(routes(exchanges)).toEqual(['POST /auth/login 200']);
    const body = exchanges[0]!.requestBody;
    const sent: unknown = typeof body === 'string' ? JSON.parse(body) : body;
    expect(sent).toEqual({
      code: expect.any(String),
      appid: APP_B.appid,
      phoneCode: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(client.getSession()).toMatchObject({ token: result.token });
    const profile = await client.getProfile();
    expect(profile).toMatchObject({ id: result.user.id, phoneNumber: '13700000001' });
  });

  test("a phone login in app B joins the person who verified that number in app A (the lead's person model)", async () => {
    const owner = await phoneOwnerInA('13700000002');
    const { wx, client } = phoneIn(APP_B.appid);

    const result = await client.loginWithPhoneNumber(await wx.phoneNumberEvent('13700000002'));

    expect(result.user.id).toBe(owner);
  });

  test("two accounts behind one phone login: AccountConflictError to show; merge: true with a new tap joins them (the lead's person model)", async () => {
    const owner = await phoneOwnerInA('13700000003');
    const openid = newOpenid();
    const { wx, client } = phoneIn(APP_B.appid, openid);
    const own = await client.login(); // the app B account this WeChat user already has

    const error = await caught(client.loginWithPhoneNumber(await wx.phoneNumberEvent('13700000003')));

    expect(error).toBeInstanceOf(AccountConflictError);
    const conflict = error as AccountConflictError;
    expect(conflict).toMatchObject({
      code: 'ACCOUNT_CONFLICT',
      status: 409,
      mergeable: true,
      needsPhoneCode: true,
    });
    expect(conflict.accounts).toHaveLength(2);
    expect(client.getSession()).toMatchObject({ token: own.token }); // nothing changed here

    const merged = await client.loginWithPhoneNumber(await wx.phoneNumberEvent('13700000003'), {
      merge: true,
    });
    expect([owner, own.user.id]).toContain(merged.user.id);
    expect(client.getSession()).toMatchObject({ token: merged.token });
    // From now on both WeChat identities are that one person.
    const again = await phoneIn(APP_B.appid, openid).client.login();
    expect(again.user.id).toBe(merged.user.id);
  });
});
