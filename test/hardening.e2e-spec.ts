import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { http } from './support/http.js';
import { startTestStack, type TestStack } from './support/test-stack.js';

describe('input limits and one error shape', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('hardening-input');
  });

  afterAll(async () => {
    await stack.close();
  });

  const errorShape = (statusCode: number, code: string) => ({
    statusCode,
    code,
    message: expect.any(String),
    requestId: expect.any(String),
  });

  test.each([
    ['malformed JSON', 400, 'BAD_REQUEST', 'application/json', '{"code": '],
    [
      'a JSON body over 16 kB',
      413,
      'PAYLOAD_TOO_LARGE',
      'application/json',
      JSON.stringify({ code: 'a'.repeat(17_000) }),
    ],
    ['a text/plain body', 415, 'UNSUPPORTED_MEDIA_TYPE', 'text/plain', 'code=abc'],
    // What `curl -d '{…}'` sends without -H: it used to reach validation as a form field named `{…}`.
    [
      'JSON sent as a form (curl -d without a content type)',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'application/x-www-form-urlencoded',
      '{"code":"abc"}',
    ],
    ['an XML body', 415, 'UNSUPPORTED_MEDIA_TYPE', 'application/xml', '<code>abc</code>'],
  ])('%s is a clean %i %s, never a 500', async (_what, status, code, contentType, body) => {
    const response = await http('POST', `${stack.url}/auth/login`, {
      headers: { 'content-type': contentType },
      body,
    });
    expect(response.status).toBe(status);
    expect(response.body).toEqual(errorShape(status, code));
  });

  test('a body that is not JSON is told which header to send', async () => {
    for (const contentType of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const response = await http('POST', `${stack.url}/auth/login`, {
        headers: { 'content-type': contentType },
        body: '{"code":"abc"}',
      });
      expect(response.body.message).toContain('Content-Type: application/json');
      expect(response.body.message).toContain(contentType);
    }
  });

  test('unknown routes are 404, known paths with the wrong method 405 with Allow', async () => {
    const missing = await http('GET', `${stack.url}/no/such/route`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorShape(404, 'NOT_FOUND'));

    const wrongMethod = await http('GET', `${stack.url}/auth/login`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(wrongMethod.body).toEqual(errorShape(405, 'METHOD_NOT_ALLOWED'));
    const withParam = await http('PUT', `${stack.url}/auth/sessions/abc`);
    expect(withParam.status).toBe(405);
    expect(withParam.headers.get('allow')).toBe('DELETE');
  });

  test('every response carries a request id, and a sane incoming one is kept', async () => {
    const generated = await http('GET', `${stack.url}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await http('GET', `${stack.url}/auth/sessions`, { headers: { 'x-request-id': 'edge-42' } });
    expect(kept.headers.get('x-request-id')).toBe('edge-42');
    expect(kept.body.requestId).toBe('edge-42');
    const replaced = await http('GET', `${stack.url}/health/live`, {
      headers: { 'x-request-id': 'x'.repeat(200) },
    });
    expect(replaced.headers.get('x-request-id')).not.toBe('x'.repeat(200));
  });
});

describe('rate limits (counters in Redis)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('hardening-limits', {
      RATE_LIMIT_LOGIN_PER_MINUTE: '3',
      RATE_LIMIT_SESSION_PER_MINUTE: '5',
      RATE_LIMIT_FAILED_TOKENS_PER_MINUTE: '3',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('login is limited per client IP, with 429 RATE_LIMITED and Retry-After', async () => {
    const login = () => http('POST', `${stack.url}/auth/login`, { body: { code: 'NoSuchCode' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await login();
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test('X-Forwarded-For is ignored while TRUST_PROXY is off', async () => {
    // The previous test used up this address's login budget; a forged header must not reset it.
    const forged = await http('POST', `${stack.url}/auth/login`, {
      body: { code: 'NoSuchCode' },
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(forged.status).toBe(429);
  });

  test('authenticated routes are limited per session, not per address', async () => {
    const [first, second] = await Promise.all([
      stack.redis
        .keys(`${stack.redisPrefix}ratelimit:*`)
        .then(() => stack.sim.mintLoginCode({ appid: stack.appid })),
      stack.sim.mintLoginCode({ appid: stack.appid }),
    ]);
    // Log in through the raw Redis-free path: the login budget of this address is spent, so clear it.
    await Promise.all(
      (await stack.redis.keys(`${stack.redisPrefix}ratelimit:*`)).map((key) => stack.redis.del(key)),
    );
    const tokenA = (await http('POST', `${stack.url}/auth/login`, { body: { code: first.code } })).body.token;
    const tokenB = (await http('POST', `${stack.url}/auth/login`, { body: { code: second.code } })).body
      .token;

    const statuses = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await http('GET', `${stack.url}/auth/sessions`, { token: tokenA })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await http('GET', `${stack.url}/auth/sessions`, { token: tokenB })).status).toBe(200);
  });

  test('failed token lookups from one address are cut off with 429 after the limit', async () => {
    const guess = () => http('GET', `${stack.url}/auth/sessions`, { token: 'G'.repeat(43) });
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await guess()).status);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the failure is counted after the response
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('rate limits switched off', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('hardening-nolimits', {
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_LOGIN_PER_MINUTE: '1',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('RATE_LIMIT_ENABLED=false lets every request through', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await http('POST', `${stack.url}/auth/login`, { body: { code: 'NoSuchCode' } })).status).toBe(
        401,
      );
    }
  });
});

describe('rate limits behind a trusted proxy', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('hardening-proxy', { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_MINUTE: '1' });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('with TRUST_PROXY=1 the client address is the one the proxy appended', async () => {
    const login = (forwardedFor: string) =>
      http('POST', `${stack.url}/auth/login`, {
        body: { code: 'NoSuchCode' },
        headers: { 'x-forwarded-for': forwardedFor },
      });
    expect((await login('198.51.100.1')).status).toBe(401);
    expect((await login('198.51.100.2')).status).toBe(401);
    expect((await login('198.51.100.1')).status).toBe(429);
    // Only one hop is trusted: a client-forged entry in front of the proxy's changes nothing.
    expect((await login('203.0.113.7, 198.51.100.2')).status).toBe(429);
  });
});
