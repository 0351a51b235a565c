import { describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthClient } from '../client/src/auth-client.js';
import { AuthClientError } from '../client/src/errors.js';
import { LoginQueue } from '../client/src/login-queue.js';
import type { WxApi } from '../client/src/types.js';
import { parseRetryAfter } from '../client/src/wx-transport.js';

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
