import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

const { appid, secret } = DEFAULT_SIMULATOR_APP;
const OTHER = { appid: 'wx00000000000000b0', secret: 'b'.repeat(32) };
const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);

describe('business endpoints', () => {
  let sim: WechatSimulator;
  let token: string;
  let otherToken: string;

  async function post(path: string, body: unknown, accessToken = token, method = 'POST') {
    const res = await fetch(`${sim.url}${path}?access_token=${accessToken}`, {
      method,
      headers: method === 'POST' ? { 'Content-Type': 'application/json' } : undefined,
      body: method === 'POST' ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: JSON.parse(await res.text()),
    };
  }
  async function fetchToken(app: { appid: string; secret: string }): Promise<string> {
    const query = new URLSearchParams({ grant_type: 'client_credential', ...app });
    const body = (await (await fetch(`${sim.url}/cgi-bin/token?${query}`)).json()) as {
      access_token: string;
    };
    return body.access_token;
  }

  beforeAll(async () => {
    sim = await WechatSimulator.start({ now: () => T0, sensitiveWords: ['forbidden'] });
    sim.registerApp(OTHER);
    token = await fetchToken({ appid, secret });
    otherToken = await fetchToken(OTHER);
  });
  afterAll(() => sim.close());

  describe('getuserphonenumber', () => {
    const PATH = '/wxa/business/getuserphonenumber';

    test('success shape: errcode 0, countryCode string, int watermark timestamp', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const { code } = sim.mintPhoneCode({ appid, openid, phoneNumber: '13800138000' });
      expect(code).toMatch(/^[0-9a-f]{64}$/);
      const res = await post(PATH, { code, openid });
      expect(res.contentType).toBe('application/json; encoding=utf-8');
      expect(res.body).toEqual({
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: '13800138000',
          purePhoneNumber: '13800138000',
          countryCode: '86',
          watermark: { timestamp: T0 / 1000, appid },
        },
      });
    });

    test('non-mainland numbers carry the country code in phoneNumber', async () => {
      const { code } = sim.mintPhoneCode({
        appid,
        openid: 'o_hk_user',
        phoneNumber: '51234567',
        countryCode: '852',
      });
      const info = (await post(PATH, { code })).body.phone_info;
      expect(info).toMatchObject({
        phoneNumber: '+85251234567',
        purePhoneNumber: '51234567',
        countryCode: '852',
      });
    });

    test('reuse, expiry, unknown code and another openid → 40029', async () => {
      const { code } = sim.mintPhoneCode({ appid, openid: 'o_alice', phoneNumber: '13800000001' });
      const other = sim.mintPhoneCode({ appid, openid: 'o_alice', phoneNumber: '13800000001' });
      const late = sim.mintPhoneCode({ appid, openid: 'o_alice', phoneNumber: '13800000001' });
      expect((await post(PATH, { code, openid: 'o_bob' })).body.errcode).toBe(40029);
      expect((await post(PATH, { code, openid: 'o_alice' })).body.errcode).toBe(0);
      expect((await post(PATH, { code })).body.errcode).toBe(40029);
      expect((await post(PATH, { code: 'f'.repeat(64) })).body.errcode).toBe(40029);
      expect((await post(PATH, { code: other.code })).body.errcode).toBe(0);
      sim.advanceClock(301);
      expect((await post(PATH, { code: late.code })).body.errcode).toBe(40029);
    });

    test("a code minted under app A used with app B's token → 40013", async () => {
      const { code } = sim.mintPhoneCode({ appid, openid: 'o_carol', phoneNumber: '13800000002' });
      expect((await post(PATH, { code }, otherToken)).body.errcode).toBe(40013);
    });

    test('request checks: GET 43002, empty 44002, not JSON / access_token in body 47001, no code 41008', async () => {
      expect((await post(PATH, undefined, token, 'GET')).body.errcode).toBe(43002);
      expect((await post(PATH, '')).body.errcode).toBe(44002);
      expect((await post(PATH, 'code=abc')).body.errcode).toBe(47001);
      expect((await post(PATH, { code: 'abc', access_token: token })).body.errcode).toBe(47001);
      expect((await post(PATH, {})).body.errcode).toBe(41008);
      expect((await post(PATH, { code: 'abc' }, '')).body.errcode).toBe(41001);
    });
  });

  describe('msg_sec_check', () => {
    const PATH = '/wxa/msg_sec_check';

    test('ordinary text passes with label 100 and a trace_id', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const res = await post(PATH, { content: '你好 😀', version: 2, scene: 1, openid });
      expect(res.body).toEqual({
        errcode: 0,
        errmsg: 'ok',
        result: { suggest: 'pass', label: 100 },
        detail: [expect.objectContaining({ strategy: 'content_model', suggest: 'pass', label: 100 })],
        trace_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/),
      });
    });

    test('a configured sensitive word is risky (errcode still 0); the list can be replaced', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const risky = await post(PATH, { content: 'so FORBIDDEN', version: 2, scene: 1, openid });
      expect(risky.body.errcode).toBe(0);
      expect(risky.body.result).toEqual({ suggest: 'risky', label: 20001 });
      expect(risky.body.detail).toContainEqual(
        expect.objectContaining({ strategy: 'keyword', keyword: 'forbidden' }),
      );

      sim.setSensitiveWords(['脏话'], 20003);
      const nickname = await post(PATH, { content: '', nickname: '我是脏话', version: 2, scene: 1, openid });
      expect(nickname.body.result).toEqual({ suggest: 'risky', label: 20003 });
      expect(
        (await post(PATH, { content: 'forbidden', version: 2, scene: 1, openid })).body.result.suggest,
      ).toBe('pass');
      sim.setSensitiveWords(['forbidden']);
    });

    test('errors: GET 43302, bad scene 40129, unknown openid 40003, other app user 43104, v1 40097', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const stranger = sim.mintLoginCode({ appid: OTHER.appid }).openid;
      expect((await post(PATH, undefined, token, 'GET')).body.errcode).toBe(43302);
      expect((await post(PATH, { content: 'x', version: 2, scene: 9, openid })).body.errcode).toBe(40129);
      expect(
        (await post(PATH, { content: 'x', version: 2, scene: 1, openid: 'o_nobody' })).body.errcode,
      ).toBe(40003);
      expect((await post(PATH, { content: 'x', version: 2, scene: 1, openid: stranger })).body.errcode).toBe(
        43104,
      );
      expect((await post(PATH, { content: 'x', scene: 1, openid })).body.errcode).toBe(40097);
      expect((await post(PATH, { content: 'x', version: 2, scene: 1, openid }, 'bogus')).body.errcode).toBe(
        40001,
      );
    });
  });
});
