import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

// Values that must never show up in a log line (and, except where a response is meant to carry them,
// in a response): the AppSecret, login and phone codes, session tokens, session_keys, access_tokens,
// phone numbers.
const CANARY_APPID = 'wxc0ffee00c0ffee00';
const CANARY_SECRET = 'c4nary5ecretc4nary5ecretc4nary5e';
const CANARY_PHONE = '13987654321';
const CANARY_CODE = 'CanaryLoginCode0000000000000000X';
const CANARY_TOKEN = 'CanaryToken'.padEnd(43, 'Z');

describe('nothing secret reaches a log line or a response', () => {
  let stack: TestStack;
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });

  beforeAll(async () => {
    stack = await startTestStack(
      'redaction',
      {
        WECHAT_APPID: CANARY_APPID,
        WECHAT_SECRET: CANARY_SECRET,
        LOG_LEVEL: 'trace',
        WECHAT_CONTENT_CHECK: 'true',
      },
      { apps: [{ appid: CANARY_APPID, secret: CANARY_SECRET, openPlatformId: 'canary-platform' }] },
      { logDestination: capture },
    );
  });

  afterAll(async () => {
    await stack.close();
  });

  test('every error path, driven with canary values', async () => {
    const responses: string[] = [];
    const call = async (method: string, path: string, request: Parameters<typeof http>[2] = {}) => {
      const response = await http(method, `${stack.url}${path}`, request);
      responses.push(JSON.stringify(response.body ?? response.text), JSON.stringify([...response.headers]));
      return response;
    };
    const fault = (api: string, spec: object) =>
      stack.sim.injectFault({ api: api as never, ...spec } as never);

    // Login: unknown code, then every upstream failure kind, each with a fresh code.
    await call('POST', '/auth/login', { body: { code: CANARY_CODE } });
    await call('POST', '/auth/login', { body: { code: CANARY_CODE, extra: CANARY_SECRET } });
    await call('POST', '/auth/login', {
      headers: { 'content-type': 'application/json' },
      body: `{"code":"${CANARY_CODE}"`,
    });
    const codes: string[] = [CANARY_CODE];
    for (const spec of [
      { type: 'errcode', errcode: -1 },
      { type: 'errcode', errcode: 40125 },
      { type: 'errcode', errcode: 40163 },
      { type: 'errcode', errcode: 45011 },
      { type: 'http502' },
      { type: 'truncated' },
      { type: 'reset' },
      { type: 'control-chars' },
      { type: 'delay', delayMs: 2000 },
    ]) {
      const { code } = await stack.sim.mintLoginCode({ appid: CANARY_APPID });
      codes.push(code);
      await fault('jscode2session', spec);
      await call('POST', '/auth/login', { body: { code } });
      await stack.sim.clearFaults();
    }

    // A real login, then the guarded routes with bad and good tokens.
    const openid = newOpenid();
    const { code: goodCode } = await stack.sim.mintLoginCode({ appid: CANARY_APPID, openid });
    codes.push(goodCode);
    const login = await http('POST', `${stack.url}/auth/login`, { body: { code: goodCode } });
    expect(login.status).toBe(200);
    const token = login.body.token as string;
    const sessionKey = (await stack.sim.getSessionKey(CANARY_APPID, openid))!.sessionKey;
    await call('GET', '/auth/sessions', { token: CANARY_TOKEN });
    await call('GET', '/auth/sessions', { headers: { authorization: `Basic ${CANARY_TOKEN}` } });
    await call('GET', `/auth/sessions?token=${CANARY_TOKEN}`);

    // Phone binding: a bad code, a failing WeChat, then the real thing.
    await call('POST', '/users/me/phone', { token, body: { code: 'a'.repeat(64) } });
    const { code: phoneCode } = await stack.sim.mintPhoneCode({
      appid: CANARY_APPID,
      openid,
      phoneNumber: CANARY_PHONE,
    });
    codes.push(phoneCode);
    await fault('getuserphonenumber', { type: 'errcode', errcode: -1 });
    await call('POST', '/users/me/phone', { token, body: { code: phoneCode } });
    const { code: phoneCode2 } = await stack.sim.mintPhoneCode({
      appid: CANARY_APPID,
      openid,
      phoneNumber: CANARY_PHONE,
    });
    codes.push(phoneCode2);
    const bound = await http('POST', `${stack.url}/users/me/phone`, { token, body: { code: phoneCode2 } });
    expect(bound.status).toBe(200);
    await call('POST', '/users/me/phone', { token, body: { code: phoneCode2 } });

    // Nickname content check failing upstream, decrypt failures, session-key check failing upstream.
    await fault('msg_sec_check', { type: 'http502' });
    await call('PATCH', '/users/me', { token, body: { nickname: 'canary' } });
    const encrypted = await stack.sim.encryptForClient({
      appid: CANARY_APPID,
      openid,
      payload: { nickName: 'x' },
    });
    await call('POST', '/users/me/decrypt', {
      token,
      body: { ...encrypted, iv: encrypted.iv.replace(/^./, 'A') },
    });
    await call('POST', '/users/me/decrypt', { token, body: { ...encrypted, signature: 'f'.repeat(40) } });
    await fault('checksession', { type: 'errcode', errcode: 40001, times: 3 });
    await call('POST', '/auth/session-key/check', { token });
    await stack.sim.clearFaults();
    await call('POST', '/auth/logout', { token });
    await call('GET', '/auth/sessions', { token });

    const accessTokens = (await stack.sim.requests())
      .filter((request) => request.path === '/cgi-bin/stable_token')
      .map((request) => (request.response as { access_token?: string })?.access_token)
      .filter((value): value is string => typeof value === 'string');
    expect(accessTokens.length).toBeGreaterThan(0);

    const logs = lines.join('');
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of [
      CANARY_SECRET,
      CANARY_TOKEN,
      token,
      sessionKey,
      CANARY_PHONE,
      ...codes,
      ...accessTokens,
    ]) {
      expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
    }
    const answered = responses.join('\n');
    for (const secret of [CANARY_SECRET, sessionKey, ...codes, ...accessTokens]) {
      expect({ secret, inResponses: answered.includes(secret) }).toEqual({ secret, inResponses: false });
    }
    expect(answered).not.toMatch(/at \S+ \(|QueryFailedError|SELECT |INSERT |rid: /);
  }, 60_000);
});
