import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

const { appid, secret } = DEFAULT_SIMULATOR_APP;
const OTHER = { appid: 'wx00000000000000b0', secret: 'b'.repeat(32) };
const JSON_TYPE = 'application/json; encoding=utf-8';

describe('access token endpoints', () => {
  let sim: WechatSimulator;

  async function call(path: string, init?: RequestInit) {
    const res = await fetch(sim.url + path, init);
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: JSON.parse(await res.text()),
    };
  }
  const classic = (app = { appid, secret }) =>
    call(`/cgi-bin/token?grant_type=client_credential&appid=${app.appid}&secret=${app.secret}`);
  const stable = (body: unknown, method = 'POST') =>
    call('/cgi-bin/stable_token', {
      method,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    });
  const stableFor = (force_refresh?: boolean) =>
    stable({ grant_type: 'client_credential', appid, secret, force_refresh });
  /** Any token-protected call; checksession with a bogus signature reports token errors first. */
  const useToken = async (token: string) =>
    (await call(`/wxa/checksession?access_token=${token}&openid=x&signature=x&sig_method=hmac_sha256`)).body
      .errcode;

  beforeAll(async () => {
    sim = await WechatSimulator.start({ now: () => Date.UTC(2025, 0, 1) });
    sim.registerApp(OTHER);
  });
  afterAll(() => sim.close());

  test('/cgi-bin/token: JSON with encoding=utf-8, no errcode, 136-char token, 7200 s', async () => {
    const res = await classic();
    expect(res.contentType).toBe(JSON_TYPE);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^\d+_[A-Za-z0-9_-]+$/),
      expires_in: 7200,
    });
    expect(res.body.access_token).toHaveLength(136);
  });

  test('/cgi-bin/token: each call supersedes the previous token, which works 300 s more', async () => {
    const first = (await classic()).body.access_token;
    const second = (await classic()).body.access_token;
    expect(second).not.toBe(first);
    expect(await useToken(first)).not.toBe(40001);
    sim.advanceClock(299);
    expect(await useToken(first)).not.toBe(40001);
    sim.advanceClock(2);
    expect(await useToken(first)).toBe(40001);
    expect(await useToken(second)).toBe(40003);
  });

  test('token checks: missing 41001, unknown 40001, expired 42001', async () => {
    const token = (await classic()).body.access_token;
    expect((await call('/wxa/checksession?openid=x&signature=x&sig_method=hmac_sha256')).body.errcode).toBe(
      41001,
    );
    expect(await useToken('84_' + 'x'.repeat(133))).toBe(40001);
    sim.advanceClock(7200);
    expect(await useToken(token)).toBe(42001);
  });

  test('/cgi-bin/token credential errors', async () => {
    const errcode = async (query: string) => (await call(`/cgi-bin/token?${query}`)).body.errcode;
    expect(await errcode(`grant_type=client_credential&secret=${secret}`)).toBe(41002);
    expect(await errcode(`grant_type=client_credential&appid=${appid}`)).toBe(41004);
    expect(await errcode(`grant_type=authorization_code&appid=${appid}&secret=${secret}`)).toBe(40002);
    expect(await errcode(`grant_type=client_credential&appid=wx1111111111111111&secret=${secret}`)).toBe(
      40013,
    );
    expect(await errcode(`grant_type=client_credential&appid=${appid}&secret=${'0'.repeat(32)}`)).toBe(40125);
  });

  test('stable_token normal mode: the same token while > 300 s remain, expires_in = remaining', async () => {
    sim.advanceClock(86_400);
    const first = await stableFor();
    expect(first.contentType).toBe(JSON_TYPE);
    expect(first.body).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    sim.advanceClock(1000);
    const same = await stableFor(false);
    expect(same.body).toEqual({ access_token: first.body.access_token, expires_in: 6200 });

    sim.advanceClock(5899); // 301 s left: still the same token
    expect((await stableFor()).body).toEqual({ access_token: first.body.access_token, expires_in: 301 });
    sim.advanceClock(2); // 299 s left: a new token, the old one still works until it expires
    const renewed = (await stableFor()).body;
    expect(renewed.access_token).not.toBe(first.body.access_token);
    expect(renewed.expires_in).toBe(7200);
    expect((await stableFor()).body.access_token).toBe(renewed.access_token);
    expect(await useToken(first.body.access_token)).toBe(40003);
    sim.advanceClock(300);
    expect(await useToken(first.body.access_token)).toBe(42001);
    expect(await useToken(renewed.access_token)).toBe(40003);
  });

  test('stable_token is isolated from /cgi-bin/token', async () => {
    const stableToken = (await stableFor()).body.access_token;
    await classic();
    sim.advanceClock(301);
    await classic();
    expect(await useToken(stableToken)).toBe(40003);
    expect((await stableFor()).body.access_token).toBe(stableToken);
  });

  test('force_refresh revokes the current token at once; within 30 s it does not refresh again', async () => {
    const current = (await stableFor()).body.access_token;
    const forced = (await stableFor(true)).body;
    expect(forced.access_token).not.toBe(current);
    expect(forced.expires_in).toBe(7200);
    expect(await useToken(current)).toBe(40001);
    sim.advanceClock(10);
    expect((await stableFor(true)).body).toEqual({ access_token: forced.access_token, expires_in: 7190 });
    sim.advanceClock(20);
    const again = (await stableFor(true)).body.access_token;
    expect(again).not.toBe(forced.access_token);
    expect(await useToken(forced.access_token)).toBe(40001);
  });

  test('force_refresh is capped at 20 a day (45009)', async () => {
    sim.advanceClock(86_400);
    for (let i = 0; i < 20; i++) {
      expect((await stableFor(true)).body.access_token).toBeDefined();
      sim.advanceClock(30);
    }
    expect((await stableFor(true)).body.errcode).toBe(45009);
    expect((await stableFor(false)).body.access_token).toBeDefined();
  });

  test('stable_token request checks: GET 43002, empty 44002, not JSON 47001, access_token in body 47001', async () => {
    expect(
      (await call(`/cgi-bin/stable_token?grant_type=client_credential&appid=${appid}`)).body.errcode,
    ).toBe(43002);
    expect((await stable('')).body.errcode).toBe(44002);
    expect((await stable('grant_type=client_credential')).body.errcode).toBe(47001);
    expect(
      (await stable({ access_token: 'x', grant_type: 'client_credential', appid, secret })).body.errcode,
    ).toBe(47001);
    expect(
      (await stable({ grant_type: 'client_credential', appid, secret, force_refresh: 'yes' })).body.errcode,
    ).toBe(47001);
    expect((await stable({ grant_type: 'client_credential', secret })).body.errcode).toBe(41002);
    expect((await stable({ grant_type: 'x', appid, secret })).body.errcode).toBe(40002);
    expect((await stable({ grant_type: 'client_credential', appid, secret: 'nope' })).body.errcode).toBe(
      40125,
    );
  });

  test('an unknown path answers 40066 invalid url', async () => {
    const res = await call('/cgi-bin/nope');
    expect(res.status).toBe(200);
    expect(res.body.errcode).toBe(40066);
  });
});
