import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

describe('POST /auth/login (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('auth-login');
  });

  afterEach(async () => {
    await stack.sim.clearFaults();
  });

  afterAll(async () => {
    await stack.close();
  });

  const loginWithCode = (code: string) => http('POST', `${stack.url}/auth/login`, { body: { code } });
  const jscode2sessionCalls = async (code: string) =>
    (await stack.sim.requests()).filter((r) => r.path === '/sns/jscode2session' && r.query.js_code === code)
      .length;

  test('exchanges a wx.login code for a bearer token and a profile without WeChat identifiers', async () => {
    const openid = newOpenid();
    const unionid = 'oUnion' + openid.slice(6);
    const response = await stack.login({ openid, unionid });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: expect.objectContaining({ id: expect.any(Number), nickname: null }),
    });
    expect(response.text).not.toContain(openid);
    expect(response.text).not.toContain(unionid);
    expect(response.text).not.toMatch(/openid|unionid|session_?key/i);

    const [row] = await stack.db.query('SELECT openid, unionid FROM users WHERE id = ?', [
      response.body.user.id,
    ]);
    expect(row).toEqual({ openid, unionid });
    const sessions = await http('GET', `${stack.url}/auth/sessions`, { token: response.body.token });
    expect(sessions.status).toBe(200);
    expect(sessions.body).toHaveLength(1);
  });

  test.each([
    ['an unknown code', 401, 'LOGIN_CODE_INVALID', { type: 'none' }],
    ['a code WeChat says was used (40163)', 401, 'LOGIN_CODE_USED', { type: 'errcode', errcode: 40163 }],
    ['an expired code (40029)', 401, 'LOGIN_CODE_INVALID', { type: 'errcode', errcode: 40029 }],
    ['a high-risk user (40226)', 403, 'WECHAT_RISK_BLOCKED', { type: 'errcode', errcode: 40226 }],
    ['a per-minute limit (45011)', 429, 'WECHAT_RATE_LIMITED', { type: 'errcode', errcode: 45011 }],
    ['WeChat busy (-1)', 503, 'WECHAT_UNAVAILABLE', { type: 'errcode', errcode: -1 }],
    ['WeChat too slow', 503, 'WECHAT_UNAVAILABLE', { type: 'delay', delayMs: 2500 }],
    ['a connection reset', 503, 'WECHAT_UNAVAILABLE', { type: 'reset' }],
    ['a wrong AppSecret (40125)', 502, 'WECHAT_BAD_GATEWAY', { type: 'errcode', errcode: 40125 }],
    ['an HTML 502 from a gateway', 502, 'WECHAT_BAD_GATEWAY', { type: 'http502' }],
    ['a truncated answer', 502, 'WECHAT_BAD_GATEWAY', { type: 'truncated' }],
  ] as const)('maps %s to %i %s, without a session', async (_what, status, code, fault) => {
    const openid = newOpenid();
    const { code: loginCode } =
      fault.type === 'none'
        ? { code: 'NoSuchCode0000000000000000000000' }
        : await stack.sim.mintLoginCode({ appid: stack.appid, openid });
    if (fault.type !== 'none') await stack.sim.injectFault({ api: 'jscode2session', ...fault });

    const started = Date.now();
    const response = await loginWithCode(loginCode);

    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      statusCode: status,
      code,
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(response.body.message).not.toMatch(/rid|errcode|invalid code|hint/i);
    if (status === 429 || status === 503)
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(2500 + 1000);
    const [{ n }] = await stack.db.query('SELECT COUNT(*) AS n FROM users WHERE openid = ?', [openid]);
    expect(Number(n)).toBe(0);
  });

  test('a risk-blocked user minted by the simulator is refused with 403', async () => {
    const { code } = await stack.sim.mintLoginCode({ appid: stack.appid, riskBlocked: true });
    const response = await loginWithCode(code);
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('WECHAT_RISK_BLOCKED');
  });

  test('rejects malformed input with 400 before calling WeChat', async () => {
    for (const body of [
      {},
      { code: '' },
      { code: 'has spaces' },
      { code: 'x'.repeat(129) },
      { code: 'abc', openid: newOpenid() },
      { code: 'abc', appid: 'not-an-appid' },
    ]) {
      const response = await http('POST', `${stack.url}/auth/login`, { body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    const unknownApp = await http('POST', `${stack.url}/auth/login`, {
      body: { code: 'abc', appid: 'wx00000000000000ff' },
    });
    expect(unknownApp.status).toBe(400);
    expect(unknownApp.body.code).toBe('UNKNOWN_APPID');
  });

  // Issue 15 changed this: every request used to get its own session; a repeated code is now the same
  // login, so all 20 get the one session the code opened.
  test('the same code sent 20 times at once reaches WeChat once, and every request gets the same session', async () => {
    const openid = newOpenid();
    const { code } = await stack.sim.mintLoginCode({ appid: stack.appid, openid });

    const responses = await Promise.all(Array.from({ length: 20 }, () => loginWithCode(code)));

    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await jscode2sessionCalls(code)).toBe(1);
    expect(new Set(responses.map((r) => r.body.token)).size).toBe(1);
    expect(new Set(responses.map((r) => r.body.user.id)).size).toBe(1);
  });

  test('a repeat of a failed code within the window gets the same answer without calling WeChat again', async () => {
    const { code } = await stack.sim.mintLoginCode({ appid: stack.appid });
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: 40226 });

    const first = await loginWithCode(code);
    const second = await loginWithCode(code);

    expect([first.status, second.status]).toEqual([403, 403]);
    expect(await jscode2sessionCalls(code)).toBe(1);
  });

  test('jscode2session is never retried, even when WeChat is busy', async () => {
    const { code } = await stack.sim.mintLoginCode({ appid: stack.appid });
    await stack.sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1 });
    expect((await loginWithCode(code)).status).toBe(503);
    expect(await jscode2sessionCalls(code)).toBe(1);
  });

  test('50 concurrent logins with distinct codes for one openid make one user row and 50 distinct tokens, 10 of them valid (the cap)', async () => {
    const openid = newOpenid();
    const codes = await Promise.all(
      Array.from(
        { length: 50 },
        async () => (await stack.sim.mintLoginCode({ appid: stack.appid, openid })).code,
      ),
    );

    const responses = await Promise.all(codes.map(loginWithCode));

    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const tokens = responses.map((r) => r.body.token as string);
    expect(new Set(tokens).size).toBe(50);
    const [{ n }] = await stack.db.query('SELECT COUNT(*) AS n FROM users WHERE appid = ? AND openid = ?', [
      stack.appid,
      openid,
    ]);
    expect(Number(n)).toBe(1);
    const checks = await Promise.all(
      tokens.map((token) => http('GET', `${stack.url}/auth/sessions`, { token })),
    );
    // Issue 15 changed this: all 50 used to stay valid. Sessions per user are now capped (default 10):
    // the newest 10 stay, the rest were evicted, and the listing holds exactly the survivors.
    const valid = checks.filter((r) => r.status === 200);
    expect(valid).toHaveLength(10);
    expect(checks.filter((r) => r.status !== 200).map((r) => r.status)).toEqual(Array(40).fill(401));
    expect(valid[0].body).toHaveLength(10);
  });

  test('neither Redis nor MySQL holds the raw token or a plaintext session_key after login', async () => {
    const openid = newOpenid();
    const response = await stack.login({ openid });
    const token = response.body.token as string;
    const session = await stack.sim.getSessionKey(stack.appid, openid);
    const sessionKey = session!.sessionKey;

    const keys = await stack.redis.keys(`${stack.redisPrefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    const dump: string[] = [...keys];
    for (const key of keys) {
      const type = await stack.redis.type(key);
      if (type === 'string') dump.push((await stack.redis.get(key))!);
      if (type === 'hash') dump.push(JSON.stringify(await stack.redis.hgetall(key)));
    }
    const rows = await stack.db.query('SELECT * FROM users');
    dump.push(JSON.stringify(rows));
    const everything = dump.join('\n');
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(sessionKey);
    expect(everything).not.toContain(Buffer.from(sessionKey, 'base64').toString('hex'));
  });
});

describe('login when WeChat keeps the same session_key', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('auth-same-key', {}, { sessionKeyRotation: 'never' });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('two logins carrying the same session_key get different tokens', async () => {
    const openid = newOpenid();
    const first = await stack.login({ openid });
    const keyAfterFirst = await stack.sim.getSessionKey(stack.appid, openid);
    const second = await stack.login({ openid });
    const keyAfterSecond = await stack.sim.getSessionKey(stack.appid, openid);

    expect(keyAfterSecond!.sessionKey).toBe(keyAfterFirst!.sessionKey);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.token).not.toBe(first.body.token);
  });
});
