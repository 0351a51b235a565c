// Contract tests: the real WechatClient (undici, Redis) against the real WeChat simulator over HTTP on
// 127.0.0.1. Nothing is mocked or patched.
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { Redis } from 'ioredis';
import { accessTokenKeys } from '../src/wechat/access-token.store.js';
import { WechatApiError, WechatDecryptError, type WechatErrorKind } from '../src/wechat/wechat-api.error.js';
import { WechatClient } from '../src/wechat/wechat.client.js';
import { decryptData, verifyRawDataSignature } from '../src/wechat/wechat.crypto.js';
import type { WechatModuleOptions } from '../src/wechat/wechat-options.interface.js';
import { SimulatorControlClient } from '../src/wechat-simulator/simulator-control.client.js';
// The agreed path was wechat-simulator.js, which does not export DEFAULT_SIMULATOR_APP; the simulator's index does.
import { DEFAULT_SIMULATOR_APP, WechatSimulator } from '../src/wechat-simulator/index.js';
import { testRedisPrefix, testRedisUrl } from './support/test-services.js';

const APPID = DEFAULT_SIMULATOR_APP.appid;
const APP = { appid: DEFAULT_SIMULATOR_APP.appid, secret: DEFAULT_SIMULATOR_APP.secret };

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private capture(level: string, args: unknown[]): void {
    this.lines.push(
      `${level} ${args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6 }))).join(' ')}`,
    );
  }
  log(...args: unknown[]): void {
    this.capture('log', args);
  }
  warn(...args: unknown[]): void {
    this.capture('warn', args);
  }
  error(...args: unknown[]): void {
    this.capture('error', args);
  }
  debug(...args: unknown[]): void {
    this.capture('debug', args);
  }
  verbose(...args: unknown[]): void {
    this.capture('verbose', args);
  }
}

let sim: WechatSimulator;
let control: SimulatorControlClient;
let redis: Redis;
let redisB: Redis;
let prefix: string;
let testNo = 0;
const clients: WechatClient[] = [];

function makeClient(options: Partial<WechatModuleOptions> = {}): WechatClient {
  const client = new WechatClient({
    apps: [APP],
    baseUrl: sim.url,
    redis,
    redisKeyPrefix: prefix,
    logger: new CapturingLogger(),
    ...options,
  });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<WechatApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
}

async function requestsTo(path: string) {
  return (await control.requests()).filter((request) => request.path === path);
}

async function login(client: WechatClient, input: { riskBlocked?: boolean } = {}) {
  const minted = await control.mintLoginCode({ appid: APPID, ...input });
  const session = await client.code2Session(APPID, minted.code);
  return { ...minted, ...session };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  sim = await WechatSimulator.start({ port: 0 });
  control = new SimulatorControlClient(sim.url);
  redis = new Redis(testRedisUrl());
  redisB = new Redis(testRedisUrl());
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await sim?.close();
  await redis?.quit();
  await redisB?.quit();
});

beforeEach(async () => {
  await control.reset();
  // A fresh key space per test, so no test sees another's cached token.
  prefix = `${testRedisPrefix('wechat-client')}t${++testNo}:`;
});

describe('code2Session', () => {
  it('exchanges a login code (text/plain body, no errcode) and rejects its reuse', async () => {
    const client = makeClient();
    const minted = await control.mintLoginCode({ appid: APPID });
    const session = await client.code2Session(APPID, minted.code);
    expect(session.openid).toBe(minted.openid);
    expect(session.sessionKey).toBe((await control.getSessionKey(APPID, minted.openid))?.sessionKey);
    expect((await failure(client.code2Session(APPID, minted.code))).kind).toBe('CODE_USED');
    expect((await failure(client.code2Session(APPID, 'unknowncode0000000000000000000000'))).kind).toBe(
      'CODE_INVALID',
    );
  });

  it('returns the unionid of an app bound to an open platform', async () => {
    const bound = {
      appid: 'wx00000000000b0d0d',
      secret: 'b0undsecret000000000000000000000',
      openPlatformId: 'op1',
    };
    await control.registerApp(bound);
    const client = makeClient({ apps: [{ appid: bound.appid, secret: bound.secret }] });
    const minted = await control.mintLoginCode({ appid: bound.appid });
    const session = await client.code2Session(bound.appid, minted.code);
    expect(session.unionid).toBe(minted.unionid);
    expect(session.unionid).toEqual(expect.any(String));
  });

  it('maps a real 40226 for a risk-blocked user', async () => {
    const client = makeClient();
    const minted = await control.mintLoginCode({ appid: APPID, riskBlocked: true });
    expect(await failure(client.code2Session(APPID, minted.code))).toMatchObject({
      kind: 'RISK_BLOCKED',
      errcode: 40226,
      rid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
    });
  });

  it.each<[number, WechatErrorKind]>([
    [-1, 'BUSY'],
    [40029, 'CODE_INVALID'],
    [40163, 'CODE_USED'],
    [40226, 'RISK_BLOCKED'],
    [45011, 'RATE_LIMITED'],
    [45009, 'RATE_LIMITED'],
    [40013, 'MISCONFIGURED'],
    [40125, 'MISCONFIGURED'],
    [40164, 'MISCONFIGURED'],
    [41002, 'MISCONFIGURED'],
    [41004, 'MISCONFIGURED'],
    [40002, 'MISCONFIGURED'],
    [48001, 'MISCONFIGURED'],
    [99999, 'MALFORMED'],
  ])('errcode %i → %s, one request, never retried', async (errcode, kind) => {
    const client = makeClient();
    const minted = await control.mintLoginCode({ appid: APPID });
    await control.injectFault({ api: 'jscode2session', type: 'errcode', errcode });
    const error = await failure(client.code2Session(APPID, minted.code));
    expect(error).toMatchObject({ api: 'jscode2session', kind, errcode });
    expect(error.rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(error.message).toBe(`jscode2session failed: errcode ${errcode} (${kind}), rid ${error.rid}`);
    if (kind === 'RATE_LIMITED') expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(await requestsTo('/sns/jscode2session')).toHaveLength(1);
  });

  it('parses a body with raw control characters', async () => {
    const client = makeClient();
    const minted = await control.mintLoginCode({ appid: APPID });
    await control.injectFault({ api: 'jscode2session', type: 'control-chars' });
    const session = await client.code2Session(APPID, minted.code);
    expect(session.openid).toBe(minted.openid);
    expect((await requestsTo('/sns/jscode2session'))[0].fault).toBe('control-chars');
  });

  it('treats truncated JSON and an HTML 502 as MALFORMED', async () => {
    const client = makeClient();
    await control.injectFault({ api: 'jscode2session', type: 'truncated' });
    const minted = await control.mintLoginCode({ appid: APPID });
    expect(await failure(client.code2Session(APPID, minted.code))).toMatchObject({
      kind: 'MALFORMED',
      detail: 'body is not a JSON object',
    });
    await control.injectFault({ api: 'jscode2session', type: 'http502' });
    const again = await control.mintLoginCode({ appid: APPID });
    expect(await failure(client.code2Session(APPID, again.code))).toMatchObject({
      kind: 'MALFORMED',
      detail: 'HTTP 502',
    });
  });

  it('times out a slow or hung answer within about timeoutMs', async () => {
    const client = makeClient({ timeoutMs: 300 });
    for (const fault of [{ type: 'delay' as const, delayMs: 1500 }, { type: 'hang' as const }]) {
      await control.injectFault({ api: 'jscode2session', ...fault });
      const minted = await control.mintLoginCode({ appid: APPID });
      const started = Date.now();
      const error = await failure(client.code2Session(APPID, minted.code));
      const elapsed = Date.now() - started;
      expect(error.kind).toBe('TIMEOUT');
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(700);
    }
    // The pool recovers: the next call works on a fresh connection.
    await login(client);
  });

  it('maps a connection reset to UNREACHABLE', async () => {
    const client = makeClient();
    await control.injectFault({ api: 'jscode2session', type: 'reset' });
    const minted = await control.mintLoginCode({ appid: APPID });
    expect((await failure(client.code2Session(APPID, minted.code))).kind).toBe('UNREACHABLE');
    expect(await requestsTo('/sns/jscode2session')).toHaveLength(1);
  });
});

describe('session_key APIs', () => {
  it('checks, resets and re-checks a session_key', async () => {
    const client = makeClient();
    const user = await login(client);
    expect(await client.checkSessionKey(APPID, user.openid, user.sessionKey)).toBe(true);
    const fresh = await client.resetUserSessionKey(APPID, user.openid, user.sessionKey);
    expect(fresh).not.toBe(user.sessionKey);
    expect(fresh).toBe((await control.getSessionKey(APPID, user.openid))?.sessionKey);
    expect(await client.checkSessionKey(APPID, user.openid, user.sessionKey)).toBe(false);
    expect(await client.checkSessionKey(APPID, user.openid, fresh)).toBe(true);
    expect(await failure(client.resetUserSessionKey(APPID, user.openid, user.sessionKey))).toMatchObject({
      kind: 'SIGNATURE_INVALID',
      errcode: 87009,
    });
  });

  it('retries checksession once on -1, and gives up after the second', async () => {
    const client = makeClient();
    const user = await login(client);
    await control.clearRequests();
    await control.injectFault({ api: 'checksession', type: 'errcode', errcode: -1 });
    expect(await client.checkSessionKey(APPID, user.openid, user.sessionKey)).toBe(true);
    expect(await requestsTo('/wxa/checksession')).toHaveLength(2);

    await control.clearRequests();
    await control.injectFault({ api: 'checksession', type: 'errcode', errcode: -1, times: 2 });
    expect((await failure(client.checkSessionKey(APPID, user.openid, user.sessionKey))).kind).toBe('BUSY');
    expect(await requestsTo('/wxa/checksession')).toHaveLength(2);
  });

  it('does not retry resetusersessionkey on -1', async () => {
    const client = makeClient();
    const user = await login(client);
    await control.clearRequests();
    await control.injectFault({ api: 'resetusersessionkey', type: 'errcode', errcode: -1 });
    expect((await failure(client.resetUserSessionKey(APPID, user.openid, user.sessionKey))).kind).toBe(
      'BUSY',
    );
    expect(await requestsTo('/wxa/resetusersessionkey')).toHaveLength(1);
  });
});

describe('getPhoneNumber and msgSecCheck', () => {
  it('exchanges a phone code (string countryCode, checked watermark)', async () => {
    const client = makeClient();
    const user = await login(client);
    const { code } = await control.mintPhoneCode({
      appid: APPID,
      openid: user.openid,
      phoneNumber: '13800138000',
    });
    expect(await client.getPhoneNumber(APPID, code, user.openid)).toEqual({
      phoneNumber: '13800138000',
      purePhoneNumber: '13800138000',
      countryCode: '86',
    });
    expect((await failure(client.getPhoneNumber(APPID, code, user.openid))).kind).toBe('CODE_INVALID');
    const hk = await control.mintPhoneCode({
      appid: APPID,
      openid: user.openid,
      phoneNumber: '61234567',
      countryCode: '852',
    });
    expect(await client.getPhoneNumber(APPID, hk.code, user.openid)).toEqual({
      phoneNumber: '+85261234567',
      purePhoneNumber: '61234567',
      countryCode: '852',
    });
  });

  it('never retries a phone code on -1, but does refresh the token on 40001', async () => {
    const client = makeClient();
    const user = await login(client);
    const first = await control.mintPhoneCode({
      appid: APPID,
      openid: user.openid,
      phoneNumber: '13800138000',
    });
    await control.injectFault({ api: 'getuserphonenumber', type: 'errcode', errcode: -1 });
    expect((await failure(client.getPhoneNumber(APPID, first.code, user.openid))).kind).toBe('BUSY');
    expect(await requestsTo('/wxa/business/getuserphonenumber')).toHaveLength(1);

    await control.clearRequests();
    const second = await control.mintPhoneCode({
      appid: APPID,
      openid: user.openid,
      phoneNumber: '13800138001',
    });
    await control.injectFault({ api: 'getuserphonenumber', type: 'errcode', errcode: 40001 });
    expect((await client.getPhoneNumber(APPID, second.code, user.openid)).purePhoneNumber).toBe(
      '13800138001',
    );
    expect(await requestsTo('/wxa/business/getuserphonenumber')).toHaveLength(2);
    expect(await requestsTo('/cgi-bin/stable_token')).toHaveLength(1);
  });

  it('screens text with msg_sec_check v2 and retries once on -1', async () => {
    const client = makeClient();
    const user = await login(client);
    await control.setSensitiveWords(['badword']);
    expect(await client.msgSecCheck(APPID, user.openid, 'hello 😀')).toEqual({ suggest: 'pass', label: 100 });
    expect(await client.msgSecCheck(APPID, user.openid, 'a BadWord here')).toEqual({
      suggest: 'risky',
      label: 20001,
    });
    const [request] = await requestsTo('/wxa/msg_sec_check');
    expect(request.body).toEqual({ content: 'hello 😀', version: 2, scene: 1, openid: user.openid });

    await control.clearRequests();
    await control.injectFault({ api: 'msg_sec_check', type: 'errcode', errcode: -1 });
    expect((await client.msgSecCheck(APPID, user.openid, 'hi')).suggest).toBe('pass');
    expect(await requestsTo('/wxa/msg_sec_check')).toHaveLength(2);
  });
});

describe('access tokens', () => {
  it('single-flights 20 concurrent lookups into one stable_token request (Redis and memory)', async () => {
    for (const client of [makeClient(), makeClient({ redis: undefined })]) {
      await control.clearRequests();
      await control.injectFault({ api: 'stable_token', type: 'delay', delayMs: 100 });
      const tokens = await Promise.all(Array.from({ length: 20 }, () => client.getAccessToken(APPID)));
      expect(new Set(tokens).size).toBe(1);
      expect(await client.getAccessToken(APPID)).toBe(tokens[0]);
      const requests = await requestsTo('/cgi-bin/stable_token');
      expect(requests).toHaveLength(1);
      expect(requests[0].method).toBe('POST');
      expect(requests[0].body).toMatchObject({ grant_type: 'client_credential', force_refresh: false });
    }
    expect(await redis.get(accessTokenKeys(prefix, APPID).token)).toEqual(expect.any(String));
    expect(await redis.pttl(accessTokenKeys(prefix, APPID).token)).toBeGreaterThan(6_800_000);
  });

  it('two instances sharing Redis refresh once', async () => {
    const a = makeClient({ redis });
    const b = makeClient({ redis: redisB });
    await control.injectFault({ api: 'stable_token', type: 'delay', delayMs: 200 });
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => a.getAccessToken(APPID)),
      ...Array.from({ length: 10 }, () => b.getAccessToken(APPID)),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(await requestsTo('/cgi-bin/stable_token')).toHaveLength(1);
    expect(await redis.exists(accessTokenKeys(prefix, APPID).lock)).toBe(0);
  });

  it('retries a token fetch once on -1', async () => {
    const client = makeClient();
    await control.injectFault({ api: 'stable_token', type: 'errcode', errcode: -1 });
    expect(await client.getAccessToken(APPID)).toEqual(expect.any(String));
    expect(await requestsTo('/cgi-bin/stable_token')).toHaveLength(2);
  });

  it('refreshes an expired token (42001) and retries the call once', async () => {
    const logger = new CapturingLogger();
    const client = makeClient({ logger });
    const user = await login(client);
    const old = await client.getAccessToken(APPID);
    await control.advanceClock(7200);
    const { sessionKey } = (await control.getSessionKey(APPID, user.openid))!;
    await control.clearRequests();
    expect(await client.checkSessionKey(APPID, user.openid, sessionKey)).toBe(true);
    const checks = await requestsTo('/wxa/checksession');
    expect(checks.map((request) => (request.response as { errcode: number }).errcode)).toEqual([42001, 0]);
    expect(await requestsTo('/cgi-bin/stable_token')).toHaveLength(1);
    const fresh = await redis.get(accessTokenKeys(prefix, APPID).token);
    expect(fresh).not.toBe(old);
    expect(checks[1].query.access_token).toBe(fresh);
    expect(logger.lines.some((line) => line.includes('errcode 42001'))).toBe(true);
  });

  it.each([40001, 40014, 42001])(
    'gives up with TOKEN_INVALID when %i persists after one refresh',
    async (errcode) => {
      const client = makeClient();
      const user = await login(client);
      await control.injectFault({ api: 'msg_sec_check', type: 'errcode', errcode, times: 2 });
      expect(await failure(client.msgSecCheck(APPID, user.openid, 'hi'))).toMatchObject({
        kind: 'TOKEN_INVALID',
        errcode,
      });
      expect(await requestsTo('/wxa/msg_sec_check')).toHaveLength(2);
    },
  );

  it('a 40001 on an old token does not discard a newer cached token (compare-before-invalidate)', async () => {
    const a = makeClient({ redis });
    const b = makeClient({ redis: redisB });
    const userA = await login(a);
    const userB = await login(b);
    const t1 = await a.getAccessToken(APPID);

    // A's checksession carries T1 but is held 400 ms by the simulator before it is validated.
    await control.injectFault({ api: 'checksession', type: 'delay', delayMs: 400, openid: userA.openid });
    const pendingA = a.checkSessionKey(APPID, userA.openid, userA.sessionKey);
    await sleep(50);

    // Meanwhile T1 is revoked (a force refresh elsewhere) and instance B recovers: 40001, refresh, T2 cached.
    const forced = await fetch(`${sim.url}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', ...APP, force_refresh: true }),
    });
    const t2 = ((await forced.json()) as { access_token: string }).access_token;
    expect(t2).not.toBe(t1);
    await control.clearRequests();
    expect(await b.checkSessionKey(APPID, userB.openid, userB.sessionKey)).toBe(true);
    expect(await redis.get(accessTokenKeys(prefix, APPID).token)).toBe(t2);

    // A now gets 40001 for T1: it must leave T2 in place and retry with it, without fetching.
    expect(await pendingA).toBe(true);
    expect(await redis.get(accessTokenKeys(prefix, APPID).token)).toBe(t2);
    expect(await requestsTo('/cgi-bin/stable_token')).toHaveLength(1); // B's only
    const checks = await requestsTo('/wxa/checksession');
    expect(checks.filter((request) => request.query.access_token === t2)).toHaveLength(2);
  });
});

describe('decryptData against simulator-encrypted data', () => {
  it('decrypts and verifies open data encrypted with the current session_key', async () => {
    const client = makeClient();
    const user = await login(client);
    const payload = { nickName: '微信用户😀', gender: 0, openId: user.openid };
    const data = await control.encryptForClient({ appid: APPID, openid: user.openid, payload });
    const decrypted = decryptData(APPID, user.sessionKey, data.encryptedData, data.iv, {
      maxAgeSeconds: 60,
      now: new Date(sim.now()),
    });
    expect(decrypted).toMatchObject({ ...payload, watermark: { appid: APPID } });
    expect(verifyRawDataSignature(data.rawData, data.signature, user.sessionKey)).toBe(true);
    // Another login rotates the key: the old key must fail the same way as any other problem.
    const next = await login(client);
    expect(() => decryptData(APPID, next.sessionKey, data.encryptedData, data.iv)).toThrow(
      WechatDecryptError,
    );
    expect(verifyRawDataSignature(data.rawData, data.signature, next.sessionKey)).toBe(false);
  });
});

describe('redaction', () => {
  it('never puts the secret, a code, a session_key or a token into errors or logs', async () => {
    const canaryApp = { appid: 'wxc0ffee00c0ffee00', secret: 'c4na7ysecret0123456789abcdef01234' };
    await control.registerApp(canaryApp);
    const logger = new CapturingLogger();
    const client = makeClient({ apps: [canaryApp], logger, timeoutMs: 300 });
    const appid = canaryApp.appid;
    const errors: unknown[] = [];
    const collect = async (promise: Promise<unknown>) => {
      errors.push(
        await promise.then(
          () => new Error('unexpected success'),
          (e: unknown) => e,
        ),
      );
    };

    const canaryCode = 'c4na7yc0de0000000000000000000000';
    const minted = await control.mintLoginCode({ appid });
    const session = await client.code2Session(appid, minted.code);
    const token = await client.getAccessToken(appid);
    const phone = await control.mintPhoneCode({ appid, openid: minted.openid, phoneNumber: '13800138000' });
    const canaries = [
      canaryApp.secret,
      canaryCode,
      minted.code,
      session.sessionKey,
      token,
      phone.code,
      'c4na7y',
    ];

    // WeChat echoing the code back in errmsg.
    await control.injectFault({
      api: 'jscode2session',
      type: 'errcode',
      errcode: 40029,
      errmsg: `invalid code ${canaryCode}`,
    });
    await collect(client.code2Session(appid, canaryCode));
    await collect(client.code2Session(appid, canaryCode)); // a genuine 40029
    for (const type of ['hang', 'reset', 'http502', 'truncated'] as const) {
      await control.injectFault({ api: 'jscode2session', type });
      await collect(client.code2Session(appid, canaryCode));
    }
    expect(await client.checkSessionKey(appid, minted.openid, 'c4na7ysessionkey0000000=')).toBe(false); // 87009
    await collect(client.resetUserSessionKey(appid, minted.openid, 'c4na7ysessionkey0000000='));
    await control.injectFault({ api: 'checksession', type: 'errcode', errcode: 40001, times: 2 });
    await collect(client.checkSessionKey(appid, minted.openid, session.sessionKey));
    await control.injectFault({
      api: 'getuserphonenumber',
      type: 'errcode',
      errcode: 40029,
      errmsg: `bad ${phone.code}`,
    });
    await collect(client.getPhoneNumber(appid, phone.code, minted.openid));
    await control.injectFault({ api: 'getuserphonenumber', type: 'hang' });
    await collect(client.getPhoneNumber(appid, phone.code, minted.openid));
    // Token fetch failures: wrong secret as seen by WeChat, and a truncated answer carrying half a token.
    await redis.del(accessTokenKeys(prefix, appid).token);
    await control.injectFault({
      api: 'stable_token',
      type: 'errcode',
      errcode: 40125,
      errmsg: `invalid appsecret ${canaryApp.secret}`,
    });
    await collect(client.getAccessToken(appid));
    await control.injectFault({ api: 'stable_token', type: 'truncated' });
    await collect(client.msgSecCheck(appid, minted.openid, 'hi'));
    await collect(
      Promise.resolve().then(() => decryptData(appid, 'c4na7ysessionkey0000000=', 'AAAA', 'AAAA')),
    );

    const failures = errors.filter((error): error is Error => error instanceof Error);
    expect(failures).toHaveLength(errors.length);
    expect(failures.map((error) => error.message)).not.toContain('unexpected success');

    const texts: string[] = [];
    for (const error of failures) {
      let current: unknown = error;
      for (let depth = 0; current && depth < 10; depth++) {
        const e = current as Error;
        texts.push(String(e.message), String(e.stack), inspect(e, { depth: 8 }), JSON.stringify(e));
        current = e.cause;
      }
    }
    texts.push(...logger.lines);
    const leaks = canaries.flatMap((canary) =>
      texts
        .filter((text) => text.includes(canary))
        .map((text) => `${canary.slice(0, 8)}… in ${text.slice(0, 160)}`),
    );
    expect(leaks).toEqual([]);
    expect(failures.every((error) => error.cause === undefined)).toBe(true);
    expect(logger.lines.length).toBeGreaterThan(0); // the retries above were logged
  });
});
