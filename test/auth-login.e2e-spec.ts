import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

describe('POST /auth/login (MariaDB + Redis + simulator)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('auth-login');
  });

  afterAll(async () => {
    await stack.close();
  });

  test('exchanges a wx.login code for a bearer token and a profile without WeChat identifiers', async () => {
    const openid = newOpenid();
    const response = await stack.login({ openid, unionid: 'oUnion' + openid.slice(6) });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: expect.objectContaining({ id: expect.any(Number), nickname: null }),
    });
    expect(response.text).not.toContain(openid);
    expect(response.text).not.toMatch(/openid|unionid|session_?key/i);

    const sessions = await http('GET', `${stack.url}/auth/sessions`, { token: response.body.token });
    expect(sessions.status).toBe(200);
    expect(sessions.body).toHaveLength(1);
  });
});
