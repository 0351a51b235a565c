import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { sessionKeySignature } from './simulator-crypto.js';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP, type WechatSimulatorOptions } from './wechat-simulator.options.js';

const { appid, secret } = DEFAULT_SIMULATOR_APP;
// 2024-08-22 01:14:57 UTC, the moment of the observed rid 66c69111-… (docs/wechat-api-notes.md §1).
const T0 = Date.UTC(2024, 7, 22, 1, 14, 57);

async function get(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text), text };
}

function startSim(options: WechatSimulatorOptions = {}) {
  return WechatSimulator.start({ now: () => T0, ...options });
}

describe('login endpoints', () => {
  let sim: WechatSimulator;
  const exchange = (jsCode: string, params: Record<string, string> = {}) =>
    get(
      `${sim.url}/sns/jscode2session?${new URLSearchParams({ appid, secret, js_code: jsCode, grant_type: 'authorization_code', ...params })}`,
    );

  beforeAll(async () => {
    sim = await startSim();
    sim.registerApp({ appid: 'wx00000000000000b0', secret: 'b'.repeat(32) });
    sim.registerApp({ appid: 'wx00000000000000c0', secret: 'c'.repeat(32), openPlatformId: 'op-1' });
    sim.registerApp({ appid: 'wx00000000000000c1', secret: 'd'.repeat(32), openPlatformId: 'op-1' });
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearFaults());

  describe('jscode2session', () => {
    test('success: no errcode, text/plain, the key current at issue time, no unionid for unbound apps', async () => {
      const { code, openid } = sim.mintLoginCode({ appid });
      expect(code).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(openid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      const res = await exchange(code, { access_token: 'ignored-extra-param' });
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('text/plain');
      expect(res.body).toEqual({ session_key: sim.getSessionKey(appid, openid)!.sessionKey, openid });
      expect(res.body.session_key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    });

    test('a code is single use: the second exchange is 40163 with a rid-stamped errmsg', async () => {
      const { code } = sim.mintLoginCode({ appid });
      await exchange(code);
      const again = await exchange(code);
      expect(again.status).toBe(200);
      expect(again.contentType).toBe('text/plain');
      expect(again.body.errcode).toBe(40163);
      expect(again.body.errmsg).toMatch(/^code been used rid: 66c69111-[0-9a-f]{8}-[0-9a-f]{8}$/);
    });

    test('expired (after 300 s), unknown and other-app codes are 40029', async () => {
      const { code } = sim.mintLoginCode({ appid });
      const other = sim.mintLoginCode({ appid: 'wx00000000000000b0' });
      expect((await exchange(other.code)).body.errcode).toBe(40029);
      expect((await exchange('0'.repeat(32))).body.errcode).toBe(40029);
      sim.advanceClock(301);
      expect((await exchange(code)).body.errcode).toBe(40029);
    });

    test('risk-blocked users get 40226', async () => {
      const { code, openid } = sim.mintLoginCode({ appid, riskBlocked: true });
      expect((await exchange(code)).body.errcode).toBe(40226);
      const next = sim.mintLoginCode({ appid, openid, riskBlocked: false });
      expect((await exchange(next.code)).body.openid).toBe(openid);
    });

    test('parameter errors: missing appid/secret/js_code, grant_type, unknown appid, wrong secret', async () => {
      const base = `${sim.url}/sns/jscode2session`;
      const errcode = async (query: Record<string, string>) =>
        (await get(`${base}?${new URLSearchParams(query)}`)).body.errcode;
      const full = { appid, secret, js_code: 'x', grant_type: 'authorization_code' };
      expect(await errcode({ ...full, appid: '' })).toBe(41002);
      expect(await errcode({ appid, js_code: 'x', grant_type: 'authorization_code' })).toBe(41004);
      expect(await errcode({ appid, secret, grant_type: 'authorization_code' })).toBe(41008);
      expect(await errcode({ ...full, grant_type: 'client_credential' })).toBe(40002);
      expect(await errcode({ ...full, appid: 'wx1111111111111111' })).toBe(40013);
      expect(await errcode({ ...full, secret: 'f'.repeat(32) })).toBe(40125);
    });

    test('parameters posted in a body are not read: 41002', async () => {
      const { code } = sim.mintLoginCode({ appid });
      const res = await get(`${sim.url}/sns/jscode2session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ appid, secret, js_code: code, grant_type: 'authorization_code' }),
      });
      expect(res.body.errcode).toBe(41002);
    });

    test('apps bound to an open platform return a unionid shared across its apps', async () => {
      const first = sim.mintLoginCode({ appid: 'wx00000000000000c0' });
      expect(first.unionid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      const res = await get(
        `${sim.url}/sns/jscode2session?appid=wx00000000000000c0&secret=${'c'.repeat(32)}&js_code=${first.code}&grant_type=authorization_code`,
      );
      expect(res.body.unionid).toBe(first.unionid);
      const sibling = sim.mintLoginCode({ appid: 'wx00000000000000c1', unionid: first.unionid });
      expect(sibling.unionid).toBe(first.unionid);
      expect(() => sim.mintLoginCode({ appid, unionid: first.unionid })).toThrow(/openPlatformId/);
    });
  });

  describe('checksession and resetusersessionkey', () => {
    let token: string;
    const check = (path: string, openid: string, signature: string, extra: Record<string, string> = {}) =>
      get(
        `${sim.url}${path}?${new URLSearchParams({ access_token: token, openid, signature, sig_method: 'hmac_sha256', ...extra })}`,
      );

    beforeAll(async () => {
      token = (
        await get(`${sim.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)
      ).body.access_token;
    });

    test('valid key → ok; rotated (new wx.login) key → 87009; bad sig_method → 87008', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const oldKey = sim.getSessionKey(appid, openid)!.sessionKey;
      expect((await check('/wxa/checksession', openid, sessionKeySignature(oldKey))).body).toEqual({
        errcode: 0,
        errmsg: 'ok',
      });
      sim.mintLoginCode({ appid, openid });
      expect((await check('/wxa/checksession', openid, sessionKeySignature(oldKey))).body.errcode).toBe(
        87009,
      );
      const newKey = sim.getSessionKey(appid, openid)!.sessionKey;
      expect((await check('/wxa/checksession', openid, sessionKeySignature(newKey))).body.errcode).toBe(0);
      const upper = sessionKeySignature(newKey).toUpperCase();
      expect((await check('/wxa/checksession', openid, upper)).body.errcode).toBe(87009);
      const badMethod = await check('/wxa/checksession', openid, sessionKeySignature(newKey), {
        sig_method: 'sha1',
      });
      expect(badMethod.body.errcode).toBe(87008);
    });

    test('expired session_key → 87009', async () => {
      const local = await startSim({ sessionKeyTtlSeconds: 60 });
      try {
        const tok = (
          await get(`${local.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`)
        ).body.access_token;
        const { openid } = local.mintLoginCode({ appid });
        const sig = sessionKeySignature(local.getSessionKey(appid, openid)!.sessionKey);
        const url = `${local.url}/wxa/checksession?access_token=${tok}&openid=${openid}&signature=${sig}&sig_method=hmac_sha256`;
        expect((await get(url)).body.errcode).toBe(0);
        local.advanceClock(61);
        expect((await get(url)).body.errcode).toBe(87009);
      } finally {
        await local.close();
      }
    });

    test('unknown openid → 40003; a user of another app (wrong token) → 40001', async () => {
      expect((await check('/wxa/checksession', 'o'.repeat(28), 'x')).body.errcode).toBe(40003);
      const { openid } = sim.mintLoginCode({ appid: 'wx00000000000000b0' });
      expect((await check('/wxa/checksession', openid, 'x')).body.errcode).toBe(40001);
    });

    test('reset: new key at once, old key invalid, same expiry', async () => {
      const { openid } = sim.mintLoginCode({ appid });
      const before = sim.getSessionKey(appid, openid)!;
      sim.advanceClock(10);
      const res = await check('/wxa/resetusersessionkey', openid, sessionKeySignature(before.sessionKey));
      expect(res.contentType).toBe('application/json; encoding=utf-8');
      expect(res.body).toEqual({ errcode: 0, errmsg: 'ok', openid, session_key: expect.any(String) });
      const after = sim.getSessionKey(appid, openid)!;
      expect(after.sessionKey).toBe(res.body.session_key);
      expect(after.sessionKey).not.toBe(before.sessionKey);
      expect(after.expiresAt).toBe(before.expiresAt);
      expect(
        (await check('/wxa/checksession', openid, sessionKeySignature(before.sessionKey))).body.errcode,
      ).toBe(87009);
      expect(
        (await check('/wxa/checksession', openid, sessionKeySignature(after.sessionKey))).body.errcode,
      ).toBe(0);
      expect((await check('/wxa/resetusersessionkey', openid, 'bad')).body.errcode).toBe(87009);
    });
  });

  describe('session_key rotation policy', () => {
    test('never: every code carries the same key; minInterval: rotates only after the interval', async () => {
      const never = await startSim({ sessionKeyRotation: 'never' });
      const interval = await startSim({ sessionKeyRotation: { minIntervalSeconds: 60 } });
      try {
        const { openid } = never.mintLoginCode({ appid });
        const key = never.getSessionKey(appid, openid)!.sessionKey;
        never.mintLoginCode({ appid, openid });
        expect(never.getSessionKey(appid, openid)!.sessionKey).toBe(key);

        const user = interval.mintLoginCode({ appid });
        const first = interval.getSessionKey(appid, user.openid)!.sessionKey;
        interval.advanceClock(30);
        interval.mintLoginCode({ appid, openid: user.openid });
        expect(interval.getSessionKey(appid, user.openid)!.sessionKey).toBe(first);
        interval.advanceClock(31);
        interval.mintLoginCode({ appid, openid: user.openid });
        expect(interval.getSessionKey(appid, user.openid)!.sessionKey).not.toBe(first);
      } finally {
        await Promise.all([never.close(), interval.close()]);
      }
    });

    test('a code exchanged after a later wx.login still returns the key it was issued with', async () => {
      const { code, openid } = sim.mintLoginCode({ appid });
      const issuedWith = sim.getSessionKey(appid, openid)!.sessionKey;
      sim.mintLoginCode({ appid, openid });
      expect((await exchange(code)).body.session_key).toBe(issuedWith);
    });
  });

  test('loginRateLimit: per-openid limit → 45011 without burning the code, lifted a minute later', async () => {
    const limited = await startSim({ loginRateLimit: { perMinute: 2, scope: 'openid' } });
    try {
      const url = (code: string) =>
        `${limited.url}/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`;
      const { openid } = limited.mintLoginCode({ appid });
      const codes = [0, 1, 2].map(() => limited.mintLoginCode({ appid, openid }).code);
      expect((await get(url(codes[0]))).body.openid).toBe(openid);
      expect((await get(url(codes[1]))).body.openid).toBe(openid);
      expect((await get(url(codes[2]))).body.errcode).toBe(45011);
      const someoneElse = limited.mintLoginCode({ appid });
      expect((await get(url(someoneElse.code))).body.openid).toBe(someoneElse.openid);
      limited.advanceClock(61);
      expect((await get(url(codes[2]))).body.openid).toBe(openid);
    } finally {
      await limited.close();
    }
  });
});
