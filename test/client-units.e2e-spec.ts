import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthClient } from '../client/src/auth-client.js';
import { AccountConflictError, AuthClientError } from '../client/src/errors.js';
import { LoginQueue } from '../client/src/login-queue.js';
import type { PrivacyConsentRequest, PrivacyDecision, WxApi } from '../client/src/types.js';
import { parseRetryAfter } from '../client/src/wx-transport.js';
import { ANONYMOUS_USER_INFO, NodeWx } from '../scripts/node-wx.js';

// The client's decisions in isolation: no server, a `wx` whose HTTP answers each test scripts.
// test/client.e2e-spec.ts runs the same client against the real server.

interface ScriptedRequest {
  method: string;
  path: string;
  token: string | undefined;
  data: unknown;
}
interface ScriptedAnswer {
  status: number;
  header?: Record<string, string>;
  data?: unknown;
  /** Answer after this many ms. */
  delay?: number;
}

class ScriptedWx implements WxApi {
  logins = 0;
  readonly requests: ScriptedRequest[] = [];
  /** What `getUserProfile` answers: a userInfo (as WeChat hands it over) or a failure errMsg. */
  userProfile: Record<string, unknown> | { errMsg: string } = { ...ANONYMOUS_USER_INFO };
  private readonly storage = new Map<string, unknown>();

  constructor(private readonly answer: (request: ScriptedRequest) => ScriptedAnswer) {}

  login(option: WechatMiniprogram.LoginOption): void {
    const code = `code-${++this.logins}`;
    setImmediate(() => option.success?.({ code, errMsg: 'login:ok' }));
  }

  checkSession(option: WechatMiniprogram.CheckSessionOption): void {
    setImmediate(() => option.success?.({ errMsg: 'checkSession:ok' }));
  }

  request(option: WechatMiniprogram.RequestOption): void {
    const header = (option.header ?? {}) as Record<string, string>;
    const request: ScriptedRequest = {
      method: option.method ?? 'GET',
      path: new URL(option.url).pathname,
      token: header.Authorization?.replace(/^Bearer /, ''),
      data: option.data,
    };
    this.requests.push(request);
    const answer = this.answer(request);
    setTimeout(() => {
      option.success?.({
        statusCode: answer.status,
        header: answer.header ?? {},
        data: answer.data ?? '',
      } as WechatMiniprogram.RequestSuccessCallbackResult);
    }, answer.delay ?? 0);
  }

  uploadFile(option: WechatMiniprogram.UploadFileOption): void {
    option.fail?.({ errMsg: 'uploadFile:fail not scripted' });
  }

  getUserProfile(option: WechatMiniprogram.GetUserProfileOption): void {
    const answer = this.userProfile;
    setImmediate(() => {
      if ('errMsg' in answer) option.fail?.({ errMsg: String(answer.errMsg) });
      else
        option.success?.({
          userInfo: answer,
        } as unknown as WechatMiniprogram.GetUserProfileSuccessCallbackResult);
    });
  }

  getStorageSync(key: string): unknown {
    return this.storage.get(key) ?? '';
  }

  setStorageSync(key: string, data: unknown): void {
    this.storage.set(key, data);
  }

  removeStorageSync(key: string): void {
    this.storage.delete(key);
  }
}

const login = (token: string) => ({
  status: 200,
  data: { token, tokenType: 'Bearer', expiresAt: '2030-01-01T00:00:00.000Z', user: { id: 1 } },
});
const sessionInvalid = { status: 401, data: { statusCode: 401, code: 'SESSION_INVALID', message: 'log in' } };

describe('LoginQueue', () => {
  test('concurrent runs share one task; a run after it settled starts another', async () => {
    let started = 0;
    const queue = new LoginQueue(async () => {
      started++;
      await sleep(10);
      return started;
    });

    const shared = await Promise.all([queue.run(), queue.run(), queue.run()]);
    expect(shared).toEqual([1, 1, 1]);
    expect(queue.busy).toBe(false);
    await expect(queue.run()).resolves.toBe(2);
  });

  test('a failure reaches every waiter once and does not stick', async () => {
    let attempt = 0;
    const queue = new LoginQueue(async () => {
      if (++attempt === 1) throw new Error('first fails');
      return 'ok';
    });

    const results = await Promise.allSettled([queue.run(), queue.run()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(queue.run()).resolves.toBe('ok');
    expect(attempt).toBe(2);
  });

  test('runAfter runs its own task once the run in flight settled; run() calls meanwhile join it', async () => {
    const order: string[] = [];
    const queue = new LoginQueue(async () => {
      order.push('default');
      await sleep(10);
      return 'default';
    });

    const first = queue.run();
    const special = queue.runAfter(async () => {
      order.push('special');
      await sleep(10);
      return 'special';
    });
    const joined = queue.run();

    await expect(Promise.all([first, special, joined])).resolves.toEqual(['default', 'special', 'special']);
    expect(order).toEqual(['default', 'special']);
    expect(queue.busy).toBe(false);
  });

  test('runAfter starts even when the run before it failed', async () => {
    const queue = new LoginQueue<string>(() => Promise.reject(new Error('plain failed')));
    const first = queue.run();
    const next = queue.runAfter(async () => 'next');
    await expect(first).rejects.toThrow('plain failed');
    await expect(next).resolves.toBe('next');
  });

  test('a task that throws synchronously becomes a rejection', async () => {
    const queue = new LoginQueue<never>(() => {
      throw new Error('sync');
    });
    await expect(queue.run()).rejects.toThrow('sync');
    expect(queue.busy).toBe(false);
  });
});

describe('AuthClient decisions (scripted wx)', () => {
  test('401s that arrive after the re-login finished reuse its token instead of logging in again', async () => {
    let issued = 0;
    const wx: ScriptedWx = new ScriptedWx((request): ScriptedAnswer => {
      if (request.path === '/auth/login') return login(`token-${++issued}`);
      // The stale token's 401s trickle in over 90 ms; the re-login is done after the first one.
      if (request.token === 'token-1') return { ...sessionInvalid, delay: 10 * wx.requests.length };
      return { status: 200, data: { ok: request.token } };
    });
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });
    await client.login();

    const results = await Promise.all(Array.from({ length: 10 }, () => client.request({ path: '/x' })));

    expect(results).toEqual(Array(10).fill({ ok: 'token-2' }));
    expect(wx.logins).toBe(2);
  });

  test('a re-login happens once per request: a second 401 surfaces', async () => {
    let issued = 0;
    const wx = new ScriptedWx((request) =>
      request.path === '/auth/login' ? login(`token-${++issued}`) : sessionInvalid,
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const error = (await client.request({ path: '/x' }).catch((e: unknown) => e)) as AuthClientError;

    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({ code: 'SESSION_INVALID', status: 401, sessionRejected: true });
    // One login because there was no session, one re-login for the 401, then no more.
    expect(wx.logins).toBe(2);
    expect(wx.requests.filter((r) => r.path === '/x')).toHaveLength(2);
  });

  test('a guarded request waits out a short Retry-After once, then surfaces the 503', async () => {
    const unavailable = {
      status: 503,
      header: { 'Retry-After': '0' },
      data: { statusCode: 503, code: 'SESSION_STORE_UNAVAILABLE', message: 'retry shortly' },
    };
    const wx = new ScriptedWx((request) => (request.path === '/auth/login' ? login('t') : unavailable));
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const error = (await client.request({ path: '/x' }).catch((e: unknown) => e)) as AuthClientError;

    expect(error).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', status: 503, retryAfter: 0 });
    expect(wx.requests.filter((r) => r.path === '/x')).toHaveLength(2);
  });

  test('a 503 without Retry-After is not retried; one whose retry succeeds resolves', async () => {
    let calls = 0;
    const wx = new ScriptedWx((request) => {
      if (request.path === '/auth/login') return login('t');
      if (request.path === '/bare') return { status: 503, data: 'Service Unavailable' };
      return ++calls === 1 ? { status: 429, header: { 'retry-after': '0' } } : { status: 204 };
    });
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(client.request({ path: '/bare' })).rejects.toMatchObject({ code: 'HTTP_503' });
    expect(wx.requests.filter((r) => r.path === '/bare')).toHaveLength(1);
    await expect(client.request({ path: '/flaky', method: 'DELETE' })).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  test('login sends the configured appid and stores what the server answered', async () => {
    const wx = new ScriptedWx(() => login('t'));
    const client = createAuthClient({
      baseUrl: 'https://api.example.com/',
      appid: 'wxabc',
      storageKey: 'k',
      wx,
    });

    await client.login();

    expect(wx.requests[0]).toMatchObject({
      method: 'POST',
      path: '/auth/login',
      data: { code: 'code-1', appid: 'wxabc' },
    });
    expect(wx.getStorageSync('k')).toMatchObject({ token: 't', tokenType: 'Bearer' });
  });

  test('needs a wx: none given and no global one is a TypeError', () => {
    expect(() => createAuthClient({ baseUrl: 'https://api.example.com' })).toThrow(TypeError);
  });
});

describe('AuthClient profile and account calls (scripted wx)', () => {
  /** The seeds' payload, exactly as wx.getUserProfile handed it over before 2022-11. */
  const SEED_USER_INFO = {
    nickName: '小程序用户😀',
    avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/seed/132',
    gender: 1,
    province: 'Guangdong',
    city: 'Guangzhou',
    country: 'China',
    language: 'zh_CN',
  } as const;
  const ok = (request: ScriptedRequest): ScriptedAnswer =>
    request.path === '/auth/login' ? login('t') : { status: 200, data: { id: 1, echo: request.data } };

  test('updateProfile sends a raw userInfo object in WeChat spelling, leaving out is_demote', async () => {
    const wx = new ScriptedWx(ok);
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await client.updateProfile({ ...SEED_USER_INFO, is_demote: true } as typeof SEED_USER_INFO);

    const put = wx.requests.find((r) => r.path === '/users/me');
    expect(put).toMatchObject({ method: 'PUT', token: 't' });
    expect(put?.data).toEqual(SEED_USER_INFO);
  });

  test('updateProfile sends our own fields as given, and nothing for undefined ones', async () => {
    const wx = new ScriptedWx(ok);
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await client.updateProfile({ nickname: '小明😀', avatarUrl: null, gender: undefined });

    expect(wx.requests.find((r) => r.path === '/users/me')?.data).toEqual({
      nickname: '小明😀',
      avatarUrl: null,
    });
  });

  test('saveWechatUserInfo: wx.getUserProfile, then PUT /users/me with its userInfo and the token', async () => {
    const wx = new ScriptedWx(ok);
    wx.userProfile = { ...SEED_USER_INFO };
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const user = await client.saveWechatUserInfo({ desc: 'show your profile' });

    expect(wx.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /auth/login', 'PUT /users/me']);
    expect(wx.requests[1].data).toEqual(SEED_USER_INFO);
    expect(user).toMatchObject({ id: 1 });
    expect(client.getSession()?.user).toEqual(user);
  });

  test('saveWechatUserInfo: a declined sheet is USER_INFO_DENIED and sends nothing', async () => {
    const wx = new ScriptedWx(ok);
    wx.userProfile = { errMsg: 'getUserProfile:fail auth deny' };
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(client.saveWechatUserInfo()).rejects.toMatchObject({ code: 'USER_INFO_DENIED', status: 0 });
    expect(wx.requests).toHaveLength(0);
  });

  test('deleteAccount sends DELETE /users/me and forgets the token; a failed one keeps it', async () => {
    let fail = true;
    const wx = new ScriptedWx((request) => {
      if (request.path === '/auth/login') return login('t');
      if (fail) return { status: 503, data: { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'x' } };
      return { status: 204 };
    });
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx, maxRetries: 0 });
    await client.login();

    await expect(client.deleteAccount()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(client.getSession()?.token).toBe('t');

    fail = false;
    await expect(client.deleteAccount()).resolves.toBeUndefined();
    expect(wx.requests.filter((r) => r.path === '/users/me').map((r) => `${r.method} ${r.token}`)).toEqual([
      'DELETE t',
      'DELETE t',
    ]);
    expect(client.getSession()).toBeNull();
  });

  test('deleteAccount is single-flight: a double tap sends one DELETE, not a second one after a re-login', async () => {
    const wx = new ScriptedWx((request) =>
      request.path === '/auth/login' ? login('t') : { status: 204, delay: 10 },
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });
    await client.login();

    await Promise.all([client.deleteAccount(), client.deleteAccount()]);

    expect(wx.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /auth/login', 'DELETE /users/me']);
    expect(client.getSession()).toBeNull();
  });

  test('exportData GETs /users/me/export with the token and resolves with the JSON body', async () => {
    const body = { profile: { id: 1 }, sessions: [] };
    const wx = new ScriptedWx((request) =>
      request.path === '/auth/login' ? login('t') : { status: 200, data: body },
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(client.exportData()).resolves.toEqual(body);
    expect(wx.requests[1]).toMatchObject({ method: 'GET', path: '/users/me/export', token: 't' });
  });

  test('a phone-number event refused by the privacy gate is PRIVACY_NOT_AUTHORIZED, not PHONE_NUMBER_DENIED', async () => {
    const wx = new ScriptedWx(ok);
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(
      client.getPhoneNumber({
        detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 },
      } as never),
    ).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });
    await expect(
      client.getPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } }),
    ).rejects.toMatchObject({ code: 'PHONE_NUMBER_DENIED' });
    expect(wx.requests).toHaveLength(0);
  });
});

describe('phone-number login and merge (scripted wx)', () => {
  const phoneEvent = (code: string) => ({ detail: { code, errMsg: 'getPhoneNumber:ok' } });
  const conflict = {
    status: 409,
    data: {
      statusCode: 409,
      code: 'ACCOUNT_CONFLICT',
      message: 'This login belongs to two of your accounts',
      conflict: {
        accounts: [
          {
            matchedBy: ['identity'],
            apps: [{ appid: 'wxb', kind: 'mini_program' }],
            createdAt: '2026-01-01',
          },
          { matchedBy: ['phone'], apps: [{ appid: 'wxa', kind: 'mini_program' }], createdAt: '2025-01-01' },
        ],
        mergeable: true,
      },
    },
  };

  test('loginWithPhoneNumber: wx.login, then POST /auth/login with code and phoneCode; the session is stored', async () => {
    const wx = new ScriptedWx(() => login('t'));
    const client = createAuthClient({ baseUrl: 'https://api.example.com', appid: 'wxabc', wx });

    await expect(client.loginWithPhoneNumber(phoneEvent('p1'))).resolves.toMatchObject({ token: 't' });

    expect(wx.logins).toBe(1);
    expect(wx.requests).toEqual([
      {
        method: 'POST',
        path: '/auth/login',
        token: undefined,
        data: { code: 'code-1', appid: 'wxabc', phoneCode: 'p1' },
      },
    ]);
    expect(client.getSession()).toMatchObject({ token: 't' });
  });

  test('a declined button is PHONE_NUMBER_DENIED (privacy: PRIVACY_NOT_AUTHORIZED) and sends nothing', async () => {
    const wx = new ScriptedWx(() => login('t'));
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(
      client.loginWithPhoneNumber({ detail: { errMsg: 'getPhoneNumber:fail user deny' } }),
    ).rejects.toMatchObject({ code: 'PHONE_NUMBER_DENIED' });
    await expect(
      client.loginWithPhoneNumber({
        detail: { errMsg: 'getPhoneNumber:fail privacy permission is not authorized', errno: 104 },
      } as never),
    ).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });
    expect(wx.logins).toBe(0);
    expect(wx.requests).toHaveLength(0);
  });

  test('409 ACCOUNT_CONFLICT is an AccountConflictError with the accounts, not retried; merge: true joins them', async () => {
    const wx = new ScriptedWx((request) =>
      (request.data as { merge?: boolean }).merge ? login('merged') : conflict,
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const error = await client.loginWithPhoneNumber('p1').then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AccountConflictError);
    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({
      code: 'ACCOUNT_CONFLICT',
      status: 409,
      mergeable: true,
      needsPhoneCode: true,
    });
    expect((error as AccountConflictError).accounts.map((a) => a.matchedBy)).toEqual([
      ['identity'],
      ['phone'],
    ]);
    expect(wx.requests).toHaveLength(1);
    expect(client.getSession()).toBeNull();

    // The user confirmed and tapped the button again (a phone code works once).
    await expect(client.loginWithPhoneNumber('p2', { merge: true })).resolves.toMatchObject({
      token: 'merged',
    });
    expect(wx.requests[1]!.data).toEqual({ code: 'code-2', phoneCode: 'p2', merge: true });
    expect(client.getSession()).toMatchObject({ token: 'merged' });
  });

  test('the plain login surfaces the conflict too, and login({ merge: true }) sends merge', async () => {
    const wx = new ScriptedWx((request) =>
      (request.data as { merge?: boolean }).merge ? login('merged') : conflict,
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    await expect(client.login()).rejects.toMatchObject({ code: 'ACCOUNT_CONFLICT', needsPhoneCode: false });
    await expect(client.login({ merge: true })).resolves.toMatchObject({ token: 'merged' });
    expect(wx.requests.map((r) => r.data)).toEqual([{ code: 'code-1' }, { code: 'code-2', merge: true }]);
  });

  test('a spent login code is retried with a fresh one and the same phone code; a 503 is not (the phone code may be spent)', async () => {
    let answers: ScriptedAnswer[] = [
      { status: 401, data: { statusCode: 401, code: 'LOGIN_CODE_USED', message: 'used' } },
      login('t'),
    ];
    const wx = new ScriptedWx(() => answers.shift()!);
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });
    await expect(client.loginWithPhoneNumber('p1')).resolves.toMatchObject({ token: 't' });
    expect(wx.requests.map((r) => r.data)).toEqual([
      { code: 'code-1', phoneCode: 'p1' },
      { code: 'code-2', phoneCode: 'p1' },
    ]);

    answers = [
      {
        status: 503,
        header: { 'Retry-After': '1' },
        data: { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'later' },
      },
      login('never'),
    ];
    await expect(client.loginWithPhoneNumber('p2')).rejects.toMatchObject({
      code: 'DATABASE_UNAVAILABLE',
      retryAfter: 1,
    });
    expect(wx.requests).toHaveLength(3);
  });

  test('requests meeting a phone login in flight join it: one POST /auth/login, then the calls with its token', async () => {
    const wx = new ScriptedWx((request) =>
      request.path === '/auth/login' ? { ...login('t'), delay: 20 } : { status: 200, data: { ok: true } },
    );
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const phoneLogin = client.loginWithPhoneNumber('p1');
    await sleep(1);
    const calls = [client.request({ path: '/a' }), client.request({ path: '/b' }), client.login()];
    await Promise.all([phoneLogin, ...calls]);

    expect(wx.requests.filter((r) => r.path === '/auth/login')).toHaveLength(1);
    expect(wx.requests.filter((r) => r.path !== '/auth/login').map((r) => r.token)).toEqual(['t', 't']);
  });

  test('a phone login asked for while a plain login is in flight runs after it, with its own phone code', async () => {
    // Tokens t1, t2, … in the order the logins reach the server.
    const wx: ScriptedWx = new ScriptedWx(() => ({ ...login(`t${wx.requests.length}`), delay: 10 }));
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });

    const plain = client.login();
    const phone = client.loginWithPhoneNumber('p1');
    await expect(plain).resolves.toMatchObject({ token: 't1' });
    await expect(phone).resolves.toMatchObject({ token: 't2' });
    expect(wx.requests.map((r) => r.data)).toEqual([{ code: 'code-1' }, { code: 'code-2', phoneCode: 'p1' }]);
    expect(client.getSession()).toMatchObject({ token: 't2' });
  });
});

describe('privacy consent: client.privacy on WeChat’s privacy gate (Node wx)', () => {
  /** A Node wx whose user has not agreed yet; nothing here reaches the network. */
  const device = () => {
    const wx = new NodeWx({
      simulatorUrl: 'http://127.0.0.1:9',
      appid: 'wx0123456789abcdef',
      privacyConsentNeeded: true,
    });
    return { wx, client: createAuthClient({ baseUrl: 'http://127.0.0.1:9', wx }) };
  };
  /** The app's popup: records who asked, then the user taps agree (or disagree) after `ms`. */
  const popup = (wx: NodeWx, answer: 'agree' | 'disagree', asked: string[], ms = 5) => {
    return async (request: PrivacyConsentRequest): Promise<PrivacyDecision> => {
      asked.push(request.referrer);
      request.reportExposure();
      await sleep(ms);
      if (answer === 'disagree') return { event: 'disagree' };
      wx.tapAgreePrivacyButton('agree-btn');
      return { event: 'agree', buttonId: 'agree-btn' };
    };
  };

  test('consent granted: the waiting call proceeds once the popup answers, and later calls do not ask', async () => {
    const { wx, client } = device();
    const asked: string[] = [];
    client.privacy.onNeedConsent(popup(wx, 'agree', asked));
    await expect(client.privacy.getSetting()).resolves.toMatchObject({ needAuthorization: true });

    await expect(client.privacy.require()).resolves.toBeUndefined();
    await expect(client.privacy.require()).resolves.toBeUndefined();

    expect(asked).toEqual(['requirePrivacyAuthorize']);
    expect(wx.privacyLog.map((e) => e.outcome)).toEqual(['exposure', 'agree']);
    await expect(client.privacy.getSetting()).resolves.toMatchObject({ needAuthorization: false });
  });

  test('consent refused: the waiting call fails with PRIVACY_NOT_AUTHORIZED; the next one asks again', async () => {
    const { wx, client } = device();
    const asked: string[] = [];
    client.privacy.onNeedConsent(popup(wx, 'disagree', asked));

    const error = await client.privacy.require().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({
      code: 'PRIVACY_NOT_AUTHORIZED',
      status: 0,
      message: 'requirePrivacyAuthorize:fail privacy permission is not authorized',
    });
    await expect(client.privacy.require()).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });
    expect(asked).toHaveLength(2);
  });

  test('getUserProfile waits for consent too; refused, saveWechatUserInfo fails before any request', async () => {
    const { wx, client } = device();
    const asked: string[] = [];
    client.privacy.onNeedConsent(popup(wx, 'disagree', asked));

    await expect(client.saveWechatUserInfo()).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });
    expect(asked).toEqual(['getUserProfile']);
    expect(wx.calls.request).toBe(0);
    expect(wx.calls.login).toBe(0);
  });

  test('three privacy calls meeting one popup: the handler runs once and all of them proceed', async () => {
    const { wx, client } = device();
    const asked: string[] = [];
    client.privacy.onNeedConsent(popup(wx, 'agree', asked, 20));

    const results = await Promise.allSettled([
      client.privacy.require(),
      wx.nicknameInput('小明😀'),
      wx.chooseAvatarEvent('/tmp/avatar.png'),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(asked).toEqual(['requirePrivacyAuthorize']);
    expect(wx.privacyLog.filter((e) => e.outcome === 'agree')).toHaveLength(3);
  });

  test('a handler that throws, or answers agree without naming a tapped button, counts as refusal', async () => {
    const { wx, client } = device();
    client.privacy.onNeedConsent(() => {
      throw new Error('popup crashed');
    });
    await expect(client.privacy.require()).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });

    // The base library checks the agree button was tapped; an app that skips the button gets refused.
    client.privacy.onNeedConsent(() => ({ event: 'agree', buttonId: 'never-tapped' }));
    await expect(client.privacy.require()).rejects.toMatchObject({ code: 'PRIVACY_NOT_AUTHORIZED' });
    expect(wx.privacyLog.map((e) => e.outcome)).toEqual(['disagree', 'disagree']);
  });

  test('on a base library without the privacy APIs nothing waits: require() resolves, no consent needed', async () => {
    const wx = new ScriptedWx(() => login('t'));
    const client = createAuthClient({ baseUrl: 'https://api.example.com', wx });
    client.privacy.onNeedConsent(() => ({ event: 'disagree' }));

    expect(client.privacy.supported).toBe(false);
    await expect(client.privacy.require()).resolves.toBeUndefined();
    await expect(client.privacy.getSetting()).resolves.toEqual({
      needAuthorization: false,
      privacyContractName: '',
    });
    await expect(client.privacy.openContract()).rejects.toMatchObject({ code: 'WX_API_FAILED' });
  });
});

describe('parseRetryAfter', () => {
  test('reads delta-seconds and HTTP dates, ignores garbage', () => {
    const now = Date.parse('2026-11-21T06:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Sat, 21 Nov 2026 06:00:03 GMT', now)).toBe(3);
    expect(parseRetryAfter('Sat, 21 Nov 2026 05:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
