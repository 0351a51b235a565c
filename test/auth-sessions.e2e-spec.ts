import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

const sessionKeyOf = (stack: TestStack, token: string) =>
  `${stack.redisPrefix}session:{${createHash('sha256').update(token).digest('base64url')}}`;

describe('the session guard and session routes', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('auth-sessions');
  });

  afterAll(async () => {
    await stack.close();
  });

  const sessions = (token?: string, headers: Record<string, string> = {}) =>
    http('GET', `${stack.url}/auth/sessions`, { token, headers });

  test('accepts only `Authorization: Bearer <token>`, with the scheme in any case', async () => {
    const token = await stack.loginToken();
    expect((await sessions(undefined, { authorization: `bearer ${token}` })).status).toBe(200);
    expect((await sessions(undefined, { authorization: `BEARER ${token}` })).status).toBe(200);

    const refused: Record<string, string>[] = [
      {},
      { authorization: token },
      { authorization: `Basic ${token}` },
      { authorization: `Bearer ${token}x` },
      { authorization: 'Bearer ' },
      { cookie: `token=${token}` },
      { 'x-session-token': token },
    ];
    for (const headers of refused) {
      const response = await sessions(undefined, headers);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('SESSION_INVALID');
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    const inQuery = await http('GET', `${stack.url}/auth/sessions?access_token=${token}&token=${token}`);
    expect(inQuery.status).toBe(401);
  });

  test('a well-formed but unknown token is SESSION_INVALID', async () => {
    const response = await sessions('A'.repeat(43));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      code: 'SESSION_INVALID',
      message: expect.any(String),
      requestId: expect.any(String),
    });
  });

  test('lists the caller’s sessions with the current one marked, and no token or hash', async () => {
    const openid = newOpenid();
    const first = await stack.loginToken({ openid });
    const second = (await stack.login({ openid, userAgent: 'MicroMessenger/8.0 test' })).body.token as string;

    const response = await sessions(second);

    expect(response.status).toBe(200);
    expect(response.body).toHaveLength(2);
    const current = response.body.find((s: { current: boolean }) => s.current);
    expect(current).toEqual({
      id: expect.any(String),
      current: true,
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
      expiresAt: expect.any(String),
      userAgent: 'MicroMessenger/8.0 test',
    });
    for (const secret of [first, second, createHash('sha256').update(first).digest('base64url')]) {
      expect(response.text).not.toContain(secret);
    }
  });

  test('revokes one session by id; another user’s session id is not found', async () => {
    const openid = newOpenid();
    const keep = await stack.loginToken({ openid });
    const drop = await stack.loginToken({ openid });
    const stranger = await stack.loginToken();
    const dropId = (await sessions(drop)).body.find((s: { current: boolean }) => s.current).id;

    const foreign = await http('DELETE', `${stack.url}/auth/sessions/${dropId}`, { token: stranger });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('SESSION_NOT_FOUND');
    expect((await sessions(drop)).status).toBe(200);

    expect((await http('DELETE', `${stack.url}/auth/sessions/${dropId}`, { token: keep })).status).toBe(204);
    expect((await sessions(drop)).body.code).toBe('SESSION_INVALID');
    expect((await sessions(keep)).status).toBe(200);
  });

  test('revokes every session of the caller, and nobody else’s', async () => {
    const openid = newOpenid();
    const tokens = [
      await stack.loginToken({ openid }),
      await stack.loginToken({ openid }),
      await stack.loginToken({ openid }),
    ];
    const other = await stack.loginToken();

    expect((await http('DELETE', `${stack.url}/auth/sessions`, { token: tokens[0] })).status).toBe(204);

    for (const token of tokens) expect((await sessions(token)).status).toBe(401);
    expect((await sessions(other)).status).toBe(200);
  });

  test('logout ends the session and is idempotent', async () => {
    const token = await stack.loginToken();
    const logout = () => http('POST', `${stack.url}/auth/logout`, { token });

    expect((await logout()).status).toBe(204);
    expect((await sessions(token)).status).toBe(401);
    expect((await logout()).status).toBe(204);
    expect((await http('POST', `${stack.url}/auth/logout`)).status).toBe(204);
  });

  test('public routes need no token', async () => {
    expect((await http('GET', `${stack.url}/health/live`)).status).toBe(200);
  });
});

describe('session expiry (small TTLs)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('auth-expiry', {
      SESSION_IDLE_TTL: '2',
      SESSION_TOUCH_INTERVAL: '1',
      SESSION_ABSOLUTE_TTL: '4',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  const status = async (token: string) => {
    const response = await http('GET', `${stack.url}/auth/sessions`, { token });
    return response.status === 200 ? 200 : `${response.status} ${response.body.code}`;
  };

  test('an idle session expires after the idle TTL with SESSION_EXPIRED', async () => {
    const token = await stack.loginToken();
    await sleep(2100);
    expect(await status(token)).toBe('401 SESSION_EXPIRED');
  });

  test('use slides the idle expiry, but never past the absolute cap', async () => {
    const token = await stack.loginToken();
    // Used every 1.2 s: each use is past the 1 s touch interval, so it slides the 2 s idle window.
    for (let i = 0; i < 3; i++) {
      await sleep(1200);
      expect(await status(token)).toBe(200);
    }
    await sleep(800); // 4.4 s after login: idle window still open, absolute cap passed.
    expect(await status(token)).toBe('401 SESSION_EXPIRED');
  });

  test('the extend-write happens at most once per touch interval', async () => {
    const token = await stack.loginToken();
    const key = sessionKeyOf(stack, token);
    const stored = async () =>
      JSON.parse((await stack.redis.get(key))!) as { lastSeenAt: number; idleExpiresAt: number };
    const atLogin = await stored();

    for (let i = 0; i < 5; i++) expect(await status(token)).toBe(200);
    expect(await stored()).toEqual(atLogin);

    await sleep(1100);
    expect(await status(token)).toBe(200);
    await sleep(50); // the touch is written after the response
    const touched = await stored();
    expect(touched.lastSeenAt).toBeGreaterThan(atLogin.lastSeenAt);
    expect(touched.idleExpiresAt).toBeGreaterThan(atLogin.idleExpiresAt);

    for (let i = 0; i < 5; i++) expect(await status(token)).toBe(200);
    expect(await stored()).toEqual(touched);
  });
});
