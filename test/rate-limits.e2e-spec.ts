import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashSessionToken } from '../src/auth/session/session-token.js';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

// Issue 15, point 6: token-guessing limits never refuse a valid token; routes that call WeChat have a
// per-user budget. TRUST_PROXY=1 lets each test speak from its own client address (X-Forwarded-For).
describe('rate limits that a shared address cannot turn against its users', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('rate-limits', {
      TRUST_PROXY: '1',
      RATE_LIMIT_FAILED_TOKENS_PER_MINUTE: '3',
      RATE_LIMIT_WECHAT_CALLS_PER_USER_PER_HOUR: '2',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  const from = (address: string) => ({ 'x-forwarded-for': address });
  const bogus = (i: number) => `G${String(i).padStart(42, 'x')}`;
  // Failures are counted after the response: let each one land before the next request.
  const settle = () => sleep(30);

  test('past the failed-lookup limit, bogus tokens get 429 but valid tokens from that address still pass', async () => {
    const address = '198.51.100.10';
    const token = await stack.loginToken();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await http('GET', `${stack.url}/auth/sessions`, { token: bogus(i), headers: from(address) })).status,
      );
      await settle();
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const refused = await http('GET', `${stack.url}/users/me`, { token: bogus(99), headers: from(address) });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('www-authenticate')).toBeNull();

    // The honest user behind the same carrier NAT is not locked out.
    for (let i = 0; i < 3; i++) {
      const own = await http('GET', `${stack.url}/auth/sessions`, { token, headers: from(address) });
      expect(own.status).toBe(200);
    }
    expect((await http('GET', `${stack.url}/users/me`, { token, headers: from(address) })).status).toBe(200);
    // A request without a token is no lookup: still the plain 401.
    expect((await http('GET', `${stack.url}/users/me`, { headers: from(address) })).status).toBe(401);
  });

  test('logout with an unknown token counts as a failed lookup: 204 until the limit, then 429', async () => {
    const address = '198.51.100.20';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push(
        (await http('POST', `${stack.url}/auth/logout`, { token: bogus(i), headers: from(address) })).status,
      );
      await settle();
    }
    expect(statuses.slice(0, 3)).toEqual([204, 204, 204]);
    expect(statuses.at(-1)).toBe(429);
    // A real logout from that address still works, and really ends the session.
    const token = await stack.loginToken();
    expect((await http('POST', `${stack.url}/auth/logout`, { token, headers: from(address) })).status).toBe(
      204,
    );
    expect((await http('GET', `${stack.url}/users/me`, { token })).status).toBe(401);
  });

  test('valid tokens do not count towards the failed-lookup limit', async () => {
    const address = '198.51.100.30';
    const token = await stack.loginToken();
    for (let i = 0; i < 10; i++) {
      expect((await http('GET', `${stack.url}/users/me`, { token, headers: from(address) })).status).toBe(
        200,
      );
    }
    await settle();
    expect(
      (await http('GET', `${stack.url}/users/me`, { token: bogus(1), headers: from(address) })).status,
    ).toBe(401);
  });

  test('session-key checks spend a per-user budget, shared by all of the user’s sessions', async () => {
    const openid = newOpenid();
    const first = await stack.loginToken({ openid });
    const check = (token: string) => http('POST', `${stack.url}/auth/session-key/check`, { token });
    expect((await check(first)).status).toBe(200);
    expect((await check(first)).status).toBe(200);
    const limited = await check(first);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // A new session (another device, or a fresh login) does not reset the user's budget…
    const second = await stack.loginToken({ openid });
    expect((await check(second)).status).toBe(429);
    // …and another user has their own.
    expect((await check(await stack.loginToken())).status).toBe(200);
  });

  test('phone binds spend the same budget, bogus codes included', async () => {
    const token = await stack.loginToken();
    const bind = () =>
      http('POST', `${stack.url}/users/me/phone`, { token, body: { code: 'NoSuchPhoneCode' } });
    expect((await bind()).status).toBe(400);
    expect((await bind()).status).toBe(400);
    const limited = await bind();
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    // Routes that do not call WeChat are unaffected.
    expect((await http('GET', `${stack.url}/users/me`, { token })).status).toBe(200);
  });
});

describe('the per-user WeChat-call budget by default', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('rate-limits-default');
  });

  afterAll(async () => {
    await stack.close();
  });

  test('20 session-key checks an hour per user, then 429', async () => {
    const token = await stack.loginToken();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      statuses.push((await http('POST', `${stack.url}/auth/session-key/check`, { token })).status);
    }
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  test('the per-session default (600 a minute) is counted in slices of 30: exactly 600 pass, then 429', async () => {
    const token = await stack.loginToken();
    const counter = `${stack.redisPrefix}ratelimit:{session:${hashSessionToken(token)}}`;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 601; i++) {
      const { status } = await http('GET', `${stack.url}/users/me`, { token });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      // Redis holds the slices reserved so far, not one count per request.
      if (i === 0 || i === 31) expect(Number(await stack.redis.get(counter))).toBe(i === 0 ? 30 : 60);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 600, 429: 1 });
    const refused = await http('GET', `${stack.url}/users/me`, { token });
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other sessions keep their own budget.
    expect((await http('GET', `${stack.url}/users/me`, { token: await stack.loginToken() })).status).toBe(
      200,
    );
  });
});
