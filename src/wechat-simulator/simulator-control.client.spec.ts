import { createDecipheriv, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { SimulatorControlClient, SimulatorControlError } from './simulator-control.client.js';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

const { appid, secret } = DEFAULT_SIMULATOR_APP;

describe('test-control API over HTTP', () => {
  let sim: WechatSimulator;
  let control: SimulatorControlClient;
  const login = async (code: string, app = appid, appSecret = secret) =>
    (
      await fetch(
        `${sim.url}/sns/jscode2session?appid=${app}&secret=${appSecret}&js_code=${code}&grant_type=authorization_code`,
      )
    ).json() as Promise<Record<string, unknown>>;

  beforeAll(async () => {
    sim = await WechatSimulator.start();
    control = new SimulatorControlClient(sim.url + '/');
  });
  afterAll(() => sim.close());

  test('registerApp → 201, idempotent, 409 on conflict, 400 on bad input', async () => {
    const app = { appid: 'wx00000000000000a1', secret: 'a'.repeat(32), openPlatformId: 'op' };
    const res = await fetch(`${sim.url}/__sim/apps`, { method: 'POST', body: JSON.stringify(app) });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ appid: app.appid });
    await expect(control.registerApp(app)).resolves.toEqual({ appid: app.appid });
    await expect(control.registerApp({ ...app, secret: 'b'.repeat(32) })).rejects.toMatchObject({
      status: 409,
    });
    await expect(control.registerApp({ appid: '', secret: 'x' })).rejects.toBeInstanceOf(
      SimulatorControlError,
    );
    const bad = await fetch(`${sim.url}/__sim/apps`, { method: 'POST', body: '{oops' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON' });
  });

  test('mintLoginCode → a code jscode2session accepts; getSessionKey matches; 404 for unknown app', async () => {
    const minted = await control.mintLoginCode({ appid: 'wx00000000000000a1', openid: 'o_control_user' });
    expect(minted).toEqual({
      code: expect.any(String),
      openid: 'o_control_user',
      unionid: expect.any(String),
    });
    const session = await login(minted.code, 'wx00000000000000a1', 'a'.repeat(32));
    const key = await control.getSessionKey('wx00000000000000a1', 'o_control_user');
    expect(session).toEqual({
      session_key: key!.sessionKey,
      openid: 'o_control_user',
      unionid: minted.unionid,
    });
    const ttlLeft = key!.expiresAt - sim.now();
    expect(ttlLeft).toBeGreaterThan(3 * 24 * 3600_000 - 5000);
    expect(ttlLeft).toBeLessThanOrEqual(3 * 24 * 3600_000);
    await expect(control.getSessionKey(appid, 'o_nobody')).resolves.toBeUndefined();
    await expect(control.mintLoginCode({ appid: 'wx1111111111111111' })).rejects.toMatchObject({
      status: 404,
    });
  });

  test('encryptForClient round trip with node:crypto, using the current session_key', async () => {
    const { openid } = await control.mintLoginCode({ appid });
    const payload = { nickName: '微信用户', gender: 0, openId: openid };
    const out = await control.encryptForClient({ appid, openid, payload });
    const { sessionKey } = (await control.getSessionKey(appid, openid))!;
    const decipher = createDecipheriv(
      'aes-128-cbc',
      Buffer.from(sessionKey, 'base64'),
      Buffer.from(out.iv, 'base64'),
    );
    const plain = Buffer.concat([decipher.update(out.encryptedData, 'base64'), decipher.final()]).toString(
      'utf8',
    );
    expect(JSON.parse(plain)).toEqual({
      ...payload,
      watermark: { timestamp: Math.floor(sim.now() / 1000), appid },
    });
    expect(out.rawData).toBe('{"nickName":"微信用户","gender":0}');
    expect(out.signature).toBe(
      createHash('sha1')
        .update(out.rawData + sessionKey)
        .digest('hex'),
    );
    await expect(control.encryptForClient({ appid, openid: 'o_nobody', payload })).rejects.toMatchObject({
      status: 404,
    });
  });

  test('mintPhoneCode, injectFault (validated), requests log, clock', async () => {
    const { code } = await control.mintPhoneCode({ appid, openid: 'o_phone', phoneNumber: '13800138000' });
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      control.mintPhoneCode({ appid, openid: 'o_phone', phoneNumber: '+86 138' }),
    ).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      control.injectFault({ api: 'nope' as never, type: 'errcode', errcode: -1 }),
    ).rejects.toMatchObject({
      status: 400,
    });
    const { id } = await control.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1 });
    expect(id).toEqual(expect.any(String));

    await control.clearRequests();
    const minted = await control.mintLoginCode({ appid });
    expect((await login(minted.code)).errcode).toBe(-1);
    await control.clearFaults();
    expect((await login(minted.code)).openid).toBe(minted.openid);
    const log = await control.requests();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'GET',
      path: '/sns/jscode2session',
      query: { appid, js_code: minted.code },
      body: null,
      status: 200,
      latencyMs: expect.any(Number),
      at: expect.any(Number),
      response: { errcode: -1 },
    });
    expect(log[1].response).toMatchObject({ openid: minted.openid });

    const before = sim.now();
    const { now } = await control.advanceClock(3600);
    expect(now).toBeGreaterThanOrEqual(before + 3_600_000);
    await expect(control.advanceClock(-1)).rejects.toMatchObject({ status: 400 });
  });

  test('setSensitiveWords and reset over HTTP; unknown routes 404, wrong method 405', async () => {
    await control.setSensitiveWords(['bad']);
    await expect(control.setSensitiveWords([''])).rejects.toMatchObject({ status: 400 });
    const { openid } = await control.mintLoginCode({ appid });
    await control.advanceClock(100);
    await control.reset();
    await expect(control.getSessionKey(appid, openid)).resolves.toBeUndefined();
    await expect(control.requests()).resolves.toEqual([]);
    expect(Math.abs(sim.now() - Date.now())).toBeLessThan(1000);
    await expect(control.mintLoginCode({ appid: 'wx00000000000000a1' })).rejects.toMatchObject({
      status: 404,
    });
    expect((await fetch(`${sim.url}/__sim/nope`)).status).toBe(404);
    expect((await fetch(`${sim.url}/__sim/reset`)).status).toBe(405);
  });

  test('controlApi: false answers 404 on every /__sim/ route', async () => {
    const closed = await WechatSimulator.start({ controlApi: false });
    try {
      await expect(new SimulatorControlClient(closed.url).mintLoginCode({ appid })).rejects.toMatchObject({
        status: 404,
      });
      expect((await fetch(`${closed.url}/__sim/requests`)).status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});
