import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import { SimulatorControlClient } from '../wechat-simulator/simulator-control.client.js';
import { WechatSimulator } from '../wechat-simulator/wechat-simulator.js';
import { WechatApiError } from './wechat-api.error.js';
import { WechatClient } from './wechat.client.js';

// The OAuth calls of the web login (docs/wechat-api-notes.md §14) against the simulator, in process.

const MINI = { appid: 'wx00000000000000a1', secret: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1' };
const OA = { appid: 'wx00000000000000a2', secret: 'a2b2c2d2e2f2a2b2c2d2e2f2a2b2c2d2' };
const WEB = { appid: 'wx00000000000000a3', secret: 'a3b3c3d3e3f3a3b3c3d3e3f3a3b3c3d3' };
const REDIRECT = 'https://shop.example.com/cb';
const silent: LoggerService = { log() {}, warn() {}, error() {}, debug() {} };

let simulator: WechatSimulator;
let control: SimulatorControlClient;
let client: WechatClient;

async function failure(promise: Promise<unknown>): Promise<WechatApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
}

beforeAll(async () => {
  simulator = await WechatSimulator.start({
    port: 0,
    quiet: true,
    apps: [
      { ...MINI, openPlatformId: 'op' },
      { ...OA, kind: 'official_account', openPlatformId: 'op', redirectDomains: ['shop.example.com'] },
      { ...WEB, kind: 'website', openPlatformId: 'op', redirectDomains: ['shop.example.com'] },
    ],
  });
  control = new SimulatorControlClient(simulator.url);
  client = new WechatClient({
    apps: [{ ...OA, kind: 'official_account' }, { ...MINI }, { ...WEB, kind: 'website' }],
    baseUrl: simulator.url,
    timeoutMs: 1000,
    logger: silent,
  });
});

afterAll(async () => {
  await client?.close();
  await simulator?.close();
});

beforeEach(async () => {
  await control.clearFaults();
});

describe('WechatClient web login calls', () => {
  test('apps have kinds: the default appid is the first mini program; hasApp means a mini program', () => {
    expect(client.defaultAppid).toBe(MINI.appid);
    expect([client.appKind(MINI.appid), client.appKind(OA.appid), client.appKind(WEB.appid)]).toEqual([
      'mini_program',
      'official_account',
      'website',
    ]);
    expect(client.appKind('wx00000000000000ff')).toBeUndefined();
    expect([client.hasApp(MINI.appid), client.hasApp(OA.appid), client.hasApp(WEB.appid)]).toEqual([
      true,
      false,
      false,
    ]);
  });

  test('snsapi_base: openid and scope; the access token is kept out of logs and JSON', async () => {
    const { code } = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_base',
    });
    const token = await client.oauthAccessToken(OA.appid, code);
    expect(token).toEqual({
      openid: expect.any(String),
      scope: 'snsapi_base',
      expiresInSeconds: 7200,
      snapshotUser: false,
    });
    expect(token.accessToken).toMatch(/.{16,}/);
    expect(JSON.stringify(token)).not.toContain(token.accessToken);
    expect(inspect(token)).not.toContain(token.accessToken);
  });

  test('snsapi_userinfo and snsapi_login: one person, one unionid; userinfo reads the profile', async () => {
    const person = `p${Date.now()}`;
    const oa = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_userinfo',
      user: { person, nickname: '微信用户😀' },
    });
    const web = await control.oauthAuthorize({
      appid: WEB.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_login',
      user: person,
    });
    const oaToken = await client.oauthAccessToken(OA.appid, oa.code);
    const webToken = await client.oauthAccessToken(WEB.appid, web.code);
    const info = await client.oauthUserInfo(oaToken.accessToken, oaToken.openid);
    expect(info).toMatchObject({
      openid: oaToken.openid,
      nickname: '微信用户😀',
      unionid: expect.any(String),
    });
    expect((await client.oauthUserInfo(webToken.accessToken, webToken.openid)).unionid).toBe(info.unionid);
    expect(webToken.openid).not.toBe(oaToken.openid);
  });

  test('codes: invalid is CODE_INVALID, a second exchange CODE_USED; no code or secret in the error', async () => {
    const bogus = 'NotACodeWeChatEverIssued00000000';
    const invalid = await failure(client.oauthAccessToken(OA.appid, bogus));
    expect([invalid.kind, invalid.errcode]).toEqual(['CODE_INVALID', 40029]);
    const { code } = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_base',
    });
    await client.oauthAccessToken(OA.appid, code);
    const used = await failure(client.oauthAccessToken(OA.appid, code));
    expect([used.kind, used.errcode]).toEqual(['CODE_USED', 40163]);
    for (const error of [invalid, used]) {
      const text = `${error.message} ${error.errmsg ?? ''} ${JSON.stringify(error)}`;
      for (const secret of [bogus, code, OA.secret]) expect(text).not.toContain(secret);
    }
  });

  test('mini-program calls refuse web apps and the OAuth call refuses mini programs, without a network call', async () => {
    await control.clearRequests();
    const refused = await Promise.all([
      failure(client.oauthAccessToken(MINI.appid, 'x'.repeat(32))),
      failure(client.code2Session(OA.appid, 'x'.repeat(32))),
      failure(client.getPhoneNumber(WEB.appid, 'x'.repeat(32), 'o')),
      failure(client.oauthAccessToken('wx00000000000000ff', 'x'.repeat(32))),
    ]);
    expect(refused.map((error) => error.kind)).toEqual([
      'MISCONFIGURED',
      'MISCONFIGURED',
      'MISCONFIGURED',
      'MISCONFIGURED',
    ]);
    expect(await control.requests()).toEqual([]);
  });

  test('userinfo: a snsapi_base token is refused (48001), a token of another openid (40003) is our bug', async () => {
    const { code } = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_base',
    });
    const base = await client.oauthAccessToken(OA.appid, code);
    const unauthorized = await failure(client.oauthUserInfo(base.accessToken, base.openid));
    expect([unauthorized.kind, unauthorized.errcode]).toEqual(['MISCONFIGURED', 48001]);
    const other = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_userinfo',
    });
    const token = await client.oauthAccessToken(OA.appid, other.code);
    const wrongOpenid = await failure(client.oauthUserInfo(token.accessToken, base.openid));
    expect([wrongOpenid.kind, wrongOpenid.errcode]).toEqual(['MISCONFIGURED', 40003]);
    expect(`${wrongOpenid.message} ${wrongOpenid.errmsg}`).not.toContain(token.accessToken);
  });

  test('a snapshot page: snapshotUser; -1 on userinfo is retried once, on the code exchange never', async () => {
    await control.setNextOAuthUser({ appid: OA.appid, snapshot: true });
    const snap = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_userinfo',
    });
    const token = await client.oauthAccessToken(OA.appid, snap.code);
    expect(token.snapshotUser).toBe(true);

    await control.injectFault({ api: 'sns/userinfo', type: 'errcode', errcode: -1 });
    expect((await client.oauthUserInfo(token.accessToken, token.openid)).openid).toBe(token.openid);

    const { code } = await control.oauthAuthorize({
      appid: OA.appid,
      redirectUri: REDIRECT,
      scope: 'snsapi_base',
    });
    await control.injectFault({ api: 'sns/oauth2/access_token', type: 'errcode', errcode: -1 });
    expect((await failure(client.oauthAccessToken(OA.appid, code))).kind).toBe('BUSY');
    // The injected -1 did not use the code up: a new attempt (the user's next login) may still use it.
    expect((await client.oauthAccessToken(OA.appid, code)).openid).toEqual(expect.any(String));
  });
});
