import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { WechatSimulator } from './wechat-simulator.js';
import { DEFAULT_SIMULATOR_APP } from './wechat-simulator.options.js';

const { appid, secret } = DEFAULT_SIMULATOR_APP;

describe('fault injection', () => {
  let sim: WechatSimulator;
  const loginUrl = (code: string) =>
    `${sim.url}/sns/jscode2session?appid=${appid}&secret=${secret}&js_code=${code}&grant_type=authorization_code`;
  const tokenUrl = () =>
    `${sim.url}/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`;
  const json = async (url: string, init?: RequestInit) => JSON.parse(await (await fetch(url, init)).text());

  beforeAll(async () => {
    sim = await WechatSimulator.start();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    sim.clearRequests();
  });

  test('errcode: WeChat text plus rid; only the next N matching calls; then normal again', async () => {
    sim.injectFault({ api: 'token', type: 'errcode', errcode: 45009, times: 2 });
    for (let i = 0; i < 2; i++) {
      const body = await json(tokenUrl());
      expect(body.errcode).toBe(45009);
      expect(body.errmsg).toMatch(
        /^reach max api daily quota limit rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/,
      );
    }
    expect((await json(tokenUrl())).access_token).toBeDefined();
    expect(sim.requests().map((entry) => entry.fault)).toEqual(['errcode:45009', 'errcode:45009', undefined]);
  });

  test('-1 on jscode2session leaves the code usable unless consumeCode is set', async () => {
    const kept = sim.mintLoginCode({ appid });
    sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1 });
    expect(await json(loginUrl(kept.code))).toEqual({
      errcode: -1,
      errmsg: expect.stringMatching(/^system error rid: /),
    });
    expect((await json(loginUrl(kept.code))).openid).toBe(kept.openid);

    const burnt = sim.mintLoginCode({ appid });
    sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: -1, consumeCode: true });
    expect((await json(loginUrl(burnt.code))).errcode).toBe(-1);
    expect((await json(loginUrl(burnt.code))).errcode).toBe(40163);
  });

  test('openid and appid filters narrow the match; * matches every endpoint', async () => {
    const alice = sim.mintLoginCode({ appid, openid: 'o_alice' });
    const bob = sim.mintLoginCode({ appid, openid: 'o_bob' });
    sim.injectFault({ api: 'jscode2session', type: 'errcode', errcode: 40226, openid: 'o_alice' });
    expect((await json(loginUrl(bob.code))).openid).toBe('o_bob');
    expect((await json(loginUrl(alice.code))).errcode).toBe(40226);

    sim.injectFault({ api: '*', type: 'errcode', errcode: 48001, appid: 'wx1111111111111111' });
    expect((await json(tokenUrl())).access_token).toBeDefined();
    sim.injectFault({ api: '*', type: 'errcode', errcode: 45011, times: 'unlimited' });
    expect((await json(tokenUrl())).errcode).toBe(45011);
    expect((await json(loginUrl('x'))).errcode).toBe(45011);
  });

  test('probability 0 never fires', async () => {
    sim.injectFault({ api: 'token', type: 'errcode', errcode: -1, probability: 0 });
    expect((await json(tokenUrl())).access_token).toBeDefined();
  });

  test('delay: answers normally after delayMs', async () => {
    sim.injectFault({ api: 'token', type: 'delay', delayMs: 150 });
    const started = Date.now();
    expect((await json(tokenUrl())).access_token).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('hang: no answer until the client gives up', async () => {
    sim.injectFault({ api: 'token', type: 'hang' });
    await expect(fetch(tokenUrl(), { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(sim.requests()[0]).toMatchObject({ status: null, fault: 'hang' });
  });

  test('http502: a gateway page in HTML', async () => {
    sim.injectFault({ api: 'token', type: 'http502' });
    const res = await fetch(tokenUrl());
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toContain('502 Bad Gateway');
  });

  test('truncated: a complete HTTP answer whose JSON is cut', async () => {
    sim.injectFault({ api: 'token', type: 'truncated' });
    const res = await fetch(tokenUrl());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith('{"access_token":"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  test('reset: the socket is destroyed', async () => {
    sim.injectFault({ api: 'token', type: 'reset' });
    await expect(fetch(tokenUrl())).rejects.toThrow();
    expect((await json(tokenUrl())).access_token).toBeDefined();
  });

  test('control-chars: strict JSON.parse fails, a lenient parse gets correct values', async () => {
    const { code, openid } = sim.mintLoginCode({ appid });
    sim.injectFault({ api: 'jscode2session', type: 'control-chars' });
    const text = await (await fetch(loginUrl(code))).text();
    expect(() => JSON.parse(text)).toThrow();
    // eslint-disable-next-line no-control-regex
    const body = JSON.parse(text.replace(/[\x00-\x1F\x80-\x9F]/g, ''));
    expect(body.openid).toBe(openid);
    expect(body.session_key).toBe(sim.getSessionKey(appid, openid)!.sessionKey);

    sim.injectFault({ api: 'jscode2session', type: 'control-chars' });
    // eslint-disable-next-line no-control-regex
    const error = JSON.parse((await (await fetch(loginUrl(code))).text()).replace(/[\x00-\x1F]/g, ''));
    expect(error.errcode).toBe(40163);
  });

  test('close() returns promptly with a hung request and keep-alive sockets open', async () => {
    const local = await WechatSimulator.start();
    local.injectFault({ api: '*', type: 'hang' });
    await fetch(`${local.url}/__sim/requests`); // leaves a keep-alive socket
    const pending = fetch(`${local.url}/cgi-bin/token`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await local.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toMatchObject({ name: 'TypeError' }); // fetch failed
  });
});
