import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { http, type TestResponse } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

/** Issue 15, point 8: response headers and hostile-but-small input. */
describe('response headers and input bounds (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('headers-input');
  });

  afterAll(async () => {
    await stack?.close();
  });

  const expectPrivate = (response: TestResponse, what: string) => {
    expect({ what, cacheControl: response.headers.get('cache-control') }).toEqual({
      what,
      cacheControl: 'no-store',
    });
    expect({ what, nosniff: response.headers.get('x-content-type-options') }).toEqual({
      what,
      nosniff: 'nosniff',
    });
  };

  test('every response carrying a token or personal data is no-store and nosniff', async () => {
    const openid = newOpenid();
    const login = await stack.login({ openid });
    expect(login.status).toBe(200);
    expectPrivate(login, 'POST /auth/login');
    const token = login.body.token as string;

    expectPrivate(await http('GET', `${stack.url}/users/me`, { token }), 'GET /users/me');
    expectPrivate(
      await http('PATCH', `${stack.url}/users/me`, { token, body: { nickname: 'Ann' } }),
      'PATCH /users/me',
    );
    expectPrivate(await http('GET', `${stack.url}/auth/sessions`, { token }), 'GET /auth/sessions');
    expectPrivate(await http('GET', `${stack.url}/users/me/export`, { token }), 'GET /users/me/export');
    const { code } = await stack.sim.mintPhoneCode({
      appid: stack.appid,
      openid,
      phoneNumber: '13800138000',
    });
    const phone = await http('POST', `${stack.url}/users/me/phone`, { token, body: { code } });
    expect(phone.status).toBe(200);
    expectPrivate(phone, 'POST /users/me/phone');
    // Errors too: a 401 or a 400 may echo what was sent.
    expectPrivate(await http('GET', `${stack.url}/users/me`, { token: 'x'.repeat(43) }), '401');
    expectPrivate(
      await http('PATCH', `${stack.url}/users/me`, { token, body: { openid: 'o' } }),
      '400 VALIDATION_FAILED',
    );
  });

  test('nosniff on every response, including 404 and health; no HSTS unless configured', async () => {
    for (const path of ['/health/live', '/no/such/route', '/avatars/missing.png']) {
      const response = await http('GET', `${stack.url}${path}`);
      expect({ path, nosniff: response.headers.get('x-content-type-options') }).toEqual({
        path,
        nosniff: 'nosniff',
      });
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  describe('JSON nesting', () => {
    const nested = (depth: number) => `{"nickname":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    let token: string;
    beforeAll(async () => {
      token = await stack.loginToken();
    });
    const patch = (body: string) => http('PATCH', `${stack.url}/users/me`, { token, body });

    test('5000 levels in 10 kB is a 400 VALIDATION_FAILED, not a 500', async () => {
      for (const [method, path] of [
        ['PATCH', '/users/me'],
        ['POST', '/users/me/phone'],
        ['POST', '/auth/login'],
      ]) {
        const response = await http(method, `${stack.url}${path}`, { token, body: nested(5000) });
        expect({ path, status: response.status, code: response.body.code }).toEqual({
          path,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(response.body.message).toContain('nested');
      }
    });

    test('brackets inside strings do not count, and ordinary depth reaches validation', async () => {
      const inString = await patch(JSON.stringify({ nickname: '["\\'.repeat(2000) }));
      expect(inString.status).toBe(400);
      expect(inString.body.message).not.toContain('nested');
      const shallow = await patch(nested(10));
      expect(shallow.status).toBe(400);
      expect(shallow.body.code).toBe('VALIDATION_FAILED');
      expect(shallow.body.message).not.toContain('nested');
    });

    test('the __proto__ key protection is kept', async () => {
      const response = await patch('{"gender":1,"__proto__":{"admin":true}}');
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('BAD_REQUEST');
    });
  });

  describe('nicknames', () => {
    let token: string;
    let id: number;
    beforeAll(async () => {
      const login = await stack.login();
      token = login.body.token;
      id = login.body.user.id;
    });
    const setNickname = (nickname: string) =>
      http('PATCH', `${stack.url}/users/me`, { token, body: { nickname } });

    test.each([
      ['zero-width only', '\u200B\u200C\u200D'],
      ['a Hangul filler', '\u3164'],
      ['a right-to-left override', 'Ann\u202Egnp.exe'],
      ['an isolate', 'Ann\u2067x'],
      ['hidden tag characters', 'Ann\u{E0069}\u{E0067}\u{E006E}'],
      ['one letter and 31 combining marks', 'a' + '\u0301'.repeat(31)],
    ])('%s is refused', async (_what, nickname) => {
      const response = await setNickname(nickname);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    test('stored NFC-normalised; emoji ZWJ sequences and flags kept', async () => {
      const decomposed = await setNickname('Rene\u0301');
      expect(decomposed.status).toBe(200);
      expect(decomposed.body.nickname).toBe('Ren\u00E9');
      const [row] = await stack.db.query('SELECT HEX(nickname) AS hex FROM users WHERE id = ?', [id]);
      expect(row.hex).toBe(Buffer.from('Ren\u00E9').toString('hex').toUpperCase());
      const emoji = '👨‍👩‍👧🇨🇳\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
      expect((await setNickname(emoji)).body.nickname).toBe(emoji);
    });
  });

  describe('avatarUrl', () => {
    let token: string;
    beforeAll(async () => {
      token = await stack.loginToken();
    });
    const setAvatar = (avatarUrl: string) =>
      http('PATCH', `${stack.url}/users/me`, { token, body: { avatarUrl } });

    test.each([
      'https://127.0.0.1/a.png',
      'https://[::1]/a.png',
      'https://10.0.0.5/a.png',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost/a.png',
      'https://user:pass@cdn.example.com/a.png',
      'http://cdn.example.com/a.png',
    ])('%s is refused', async (url) => {
      const response = await setAvatar(url);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.message).toContain('avatarUrl');
    });

    test('a public https URL is stored, and a WeChat http avatar is upgraded', async () => {
      expect((await setAvatar('https://cdn.example.com/a.png')).body.avatarUrl).toBe(
        'https://cdn.example.com/a.png',
      );
      const wechat = await setAvatar('http://thirdwx.qlogo.cn/mmopen/vi_32/abc/132');
      expect(wechat.status).toBe(200);
      expect(wechat.body.avatarUrl).toBe('https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132');
    });
  });
});

describe('HSTS by setting', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('headers-hsts', { HSTS_MAX_AGE: '31536000' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('HSTS_MAX_AGE sends Strict-Transport-Security on every response', async () => {
    for (const path of ['/health/live', '/no/such/route']) {
      const response = await http('GET', `${stack.url}${path}`);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000');
    }
  });
});
