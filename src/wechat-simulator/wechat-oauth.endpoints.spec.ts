import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { SimulatorControlClient, SimulatorControlError } from './simulator-control.client.js';
import type { OAuthScope } from './simulator-control.types.js';
import { WechatSimulator } from './wechat-simulator.js';

const T0 = Date.UTC(2024, 7, 22, 1, 14, 57);

const OA = {
  appid: 'wx00000000000000e1',
  secret: 'e'.repeat(32),
  kind: 'official_account' as const,
  openPlatformId: 'op-shop',
  redirectDomains: ['shop.example.com'],
};
const WEB = {
  appid: 'wx00000000000000e2',
  secret: 'f'.repeat(32),
  kind: 'website' as const,
  openPlatformId: 'op-shop',
  redirectDomains: ['www.example.com', '127.0.0.1:8080'],
};
const MP = { appid: 'wx00000000000000e3', secret: '1'.repeat(32), openPlatformId: 'op-shop' };
const UNBOUND_OA = {
  appid: 'wx00000000000000e4',
  secret: '2'.repeat(32),
  kind: 'official_account' as const,
  redirectDomains: ['example.org'],
};

async function getJson(url: string) {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text) };
}

describe('web OAuth (Official Account pages and website QR login)', () => {
  let sim: WechatSimulator;
  let control: SimulatorControlClient;

  const authorize = (
    app: { appid: string },
    scope: OAuthScope,
    extra: {
      redirectUri?: string;
      state?: string;
      user?: Parameters<SimulatorControlClient['oauthAuthorize']>[0]['user'];
    } = {},
  ) =>
    control.oauthAuthorize({
      appid: app.appid,
      redirectUri:
        extra.redirectUri ?? (app === WEB ? 'https://www.example.com/cb' : 'https://shop.example.com/cb'),
      scope,
      state: extra.state ?? 'xyz',
      user: extra.user,
    });
  const sns = (path: string, params: Record<string, string>) =>
    getJson(`${sim.url}/sns/${path}?${new URLSearchParams(params)}`);
  const exchange = (
    code: string,
    app: { appid: string; secret: string } = OA,
    params: Record<string, string> = {},
  ) =>
    sns('oauth2/access_token', {
      appid: app.appid,
      secret: app.secret,
      code,
      grant_type: 'authorization_code',
      ...params,
    });
  const page = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${sim.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual' });
    return { status: res.status, errcode: res.headers.get('x-sim-errcode'), text: await res.text(), res };
  };

  beforeAll(async () => {
    sim = await WechatSimulator.start({ now: () => T0, apps: [OA, WEB, MP, UNBOUND_OA] });
    control = new SimulatorControlClient(sim.url);
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.clearFaults());

  describe('authorize pages', () => {
    test('Official Account snsapi_userinfo: 302 to redirect_uri with code and state, fragment dropped', async () => {
      const res = await page('/connect/oauth2/authorize', {
        appid: OA.appid,
        redirect_uri: 'https://shop.example.com/cb?next=%2Fhome#frag',
        response_type: 'code',
        scope: 'snsapi_userinfo',
        state: 's1',
      });
      expect(res.status).toBe(302);
      const location = new URL(res.res.headers.get('location')!);
      expect(location.origin + location.pathname).toBe('https://shop.example.com/cb');
      expect(location.searchParams.get('next')).toBe('/home');
      expect(location.searchParams.get('code')).toMatch(/^[0-9A-Za-z]{32}$/);
      expect(location.searchParams.get('state')).toBe('s1');
      expect(location.hash).toBe('');
    });

    test('the client drives both pages; an empty state still comes back; subdomains and ports', async () => {
      const oa = await authorize(OA, 'snsapi_base', {
        state: '',
        redirectUri: 'https://m.shop.example.com/x',
      });
      expect(oa.state).toBe('');
      expect(oa.location.startsWith('https://m.shop.example.com/x?code=')).toBe(true);
      const web = await authorize(WEB, 'snsapi_login', { redirectUri: 'http://127.0.0.1:8080/login/cb' });
      expect(web).toMatchObject({ state: 'xyz', code: expect.stringMatching(/^[0-9A-Za-z]{32}$/) });
      const requests = sim.requests().filter((r) => r.path === '/connect/qrconnect');
      expect(requests.at(-1)).toMatchObject({ status: 302, query: { scope: 'snsapi_login' } });
    });

    test.each([
      ['missing appid', '/connect/oauth2/authorize', { appid: '' }, 10012],
      ['unknown appid', '/connect/oauth2/authorize', { appid: 'wx_unknown' }, 10016],
      ['missing redirect_uri', '/connect/oauth2/authorize', { redirect_uri: '' }, 10011],
      [
        'redirect_uri outside redirectDomains',
        '/connect/oauth2/authorize',
        { redirect_uri: 'https://evil.com/cb' },
        10003,
      ],
      [
        'look-alike host',
        '/connect/oauth2/authorize',
        { redirect_uri: 'https://evilshop.example.com.evil.com/' },
        10003,
      ],
      ['not http(s)', '/connect/oauth2/authorize', { redirect_uri: 'javascript:alert(1)' }, 10003],
      ['missing scope', '/connect/oauth2/authorize', { scope: '' }, 10010],
      ['snsapi_login on an Official Account', '/connect/oauth2/authorize', { scope: 'snsapi_login' }, 10005],
      [
        'snsapi_userinfo on the QR page',
        '/connect/qrconnect',
        { appid: WEB.appid, redirect_uri: 'https://www.example.com/', scope: 'snsapi_userinfo' },
        10005,
      ],
      ['an Official Account appid on the QR page', '/connect/qrconnect', { scope: 'snsapi_login' }, 10016],
      ['a mini program appid', '/connect/oauth2/authorize', { appid: MP.appid }, 10016],
      [
        'a website appid on the Official Account page',
        '/connect/oauth2/authorize',
        { appid: WEB.appid, redirect_uri: 'https://www.example.com/' },
        10016,
      ],
      ['response_type other than code', '/connect/oauth2/authorize', { response_type: 'token' }, 10008],
    ])('%s → an error page', async (_name, path, override, errcode) => {
      const params: Record<string, string> = {
        appid: OA.appid,
        redirect_uri: 'https://shop.example.com/cb',
        response_type: 'code',
        scope: 'snsapi_base',
        state: 's',
        ...override,
      };
      for (const [key, value] of Object.entries(params)) if (value === '') delete params[key];
      const res = await page(path, params);
      expect(res.status).toBe(200);
      expect(res.res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.errcode).toBe(String(errcode));
      expect(res.text).toContain(String(errcode));
    });

    test('the client turns an error page into SimulatorControlError with the errcode', async () => {
      const error = await authorize(OA, 'snsapi_base', { redirectUri: 'https://evil.com/' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SimulatorControlError);
      expect(error).toMatchObject({
        status: 200,
        message: expect.stringContaining('10003 redirect_uri 参数错误'),
      });
    });

    test('POST to a page path is not the page (WeChat API 404 handling applies)', async () => {
      const res = await fetch(`${sim.url}/connect/qrconnect`, { method: 'POST' });
      expect(((await res.json()) as { errcode: number }).errcode).toBe(40066);
    });
  });

  describe('sns/oauth2/access_token', () => {
    test('snsapi_base: no unionid (documented), JSON, single use (40163)', async () => {
      const { code } = await authorize(OA, 'snsapi_base', { user: { openid: 'o_base_user' } });
      const res = await exchange(code);
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('application/json; encoding=utf-8');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        expires_in: 7200,
        refresh_token: expect.any(String),
        openid: 'o_base_user',
        scope: 'snsapi_base',
      });
      expect((await exchange(code)).body).toMatchObject({
        errcode: 40163,
        errmsg: expect.stringMatching(/^code been used rid: /),
      });
    });

    test('snsapi_userinfo on a bound app returns the unionid; an unbound app none', async () => {
      const bound = await authorize(OA, 'snsapi_userinfo');
      expect((await exchange(bound.code)).body.unionid).toMatch(/^o[A-Za-z0-9_-]{27}$/);
      const unbound = await authorize(UNBOUND_OA, 'snsapi_userinfo', { redirectUri: 'https://example.org/' });
      const res = await exchange(unbound.code, UNBOUND_OA);
      expect(res.body.openid).toBeDefined();
      expect(res.body).not.toHaveProperty('unionid');
    });

    test('a snapshot-page user gets is_snapshotuser: 1', async () => {
      const { code } = await authorize(OA, 'snsapi_base', { user: { person: 'snap', snapshot: true } });
      expect((await exchange(code)).body.is_snapshotuser).toBe(1);
      // only that page: the same person's next authorize is a normal one
      const again = await authorize(OA, 'snsapi_base', { user: 'snap' });
      expect((await exchange(again.code)).body).not.toHaveProperty('is_snapshotuser');
    });

    test('errcodes: 41002, 41004, 41008, 40002, 40013, 40125, 40029 (unknown, other app)', async () => {
      const { code } = await authorize(OA, 'snsapi_base');
      const base = { appid: OA.appid, secret: OA.secret, code, grant_type: 'authorization_code' };
      const errcode = async (params: Record<string, string>) =>
        (await sns('oauth2/access_token', params)).body.errcode;
      const without = (key: keyof typeof base) => {
        const copy: Record<string, string> = { ...base };
        delete copy[key];
        return copy;
      };
      expect(await errcode(without('appid'))).toBe(41002);
      expect(await errcode(without('secret'))).toBe(41004);
      expect(await errcode(without('code'))).toBe(41008);
      expect(await errcode({ ...base, grant_type: 'client_credential' })).toBe(40002);
      expect(await errcode({ ...base, appid: 'wx_unknown' })).toBe(40013);
      expect(await errcode({ ...base, secret: 'x'.repeat(32) })).toBe(40125);
      expect(await errcode({ ...base, code: 'unknown-code' })).toBe(40029);
      expect(await errcode({ ...base, appid: WEB.appid, secret: WEB.secret })).toBe(40029);
      // none of these used the code up
      expect((await exchange(code)).body.openid).toBeDefined();
    });

    test('a code expires after 5 minutes on the simulator clock (40029)', async () => {
      const { code } = await authorize(OA, 'snsapi_base');
      const fresh = await authorize(OA, 'snsapi_base');
      sim.advanceClock(299);
      expect((await exchange(fresh.code)).body.access_token).toBeDefined();
      sim.advanceClock(1);
      expect((await exchange(code)).body.errcode).toBe(40029);
    });
  });

  describe('sns/userinfo, sns/auth, refresh', () => {
    test('userinfo: the profile the test set, privilege [], unionid; base tokens 48001; wrong openid 40003', async () => {
      const { code } = await authorize(OA, 'snsapi_userinfo', {
        user: {
          person: 'alice',
          nickname: 'Alice',
          sex: 2,
          province: 'Guangdong',
          city: 'Shenzhen',
          country: 'CN',
          headimgurl: 'https://thirdwx.qlogo.cn/a/132',
        },
      });
      const token = (await exchange(code)).body;
      const info = await sns('userinfo', {
        access_token: token.access_token,
        openid: token.openid,
        lang: 'zh_CN',
      });
      expect(info.body).toEqual({
        openid: token.openid,
        nickname: 'Alice',
        sex: 2,
        province: 'Guangdong',
        city: 'Shenzhen',
        country: 'CN',
        headimgurl: 'https://thirdwx.qlogo.cn/a/132',
        privilege: [],
        unionid: token.unionid,
      });
      expect(
        (await sns('userinfo', { access_token: token.access_token, openid: 'o_other' })).body.errcode,
      ).toBe(40003);

      const base = (await exchange((await authorize(OA, 'snsapi_base', { user: 'alice' })).code)).body;
      expect(base.openid).toBe(token.openid);
      expect(
        (await sns('userinfo', { access_token: base.access_token, openid: base.openid })).body,
      ).toMatchObject({
        errcode: 48001,
        errmsg: expect.stringMatching(/^api unauthorized rid: /),
      });
    });

    test('website snsapi_login tokens read userinfo; a new user gets the generic profile', async () => {
      const token = (await exchange((await authorize(WEB, 'snsapi_login')).code, WEB)).body;
      expect(token.scope).toBe('snsapi_login');
      const info = await sns('userinfo', { access_token: token.access_token, openid: token.openid });
      expect(info.body).toMatchObject({
        openid: token.openid,
        nickname: '微信用户',
        sex: 0,
        privilege: [],
        unionid: token.unionid,
      });
    });

    test('userinfo and auth: missing token 41001, unknown 40001, expired 42001', async () => {
      const token = (await exchange((await authorize(OA, 'snsapi_userinfo')).code)).body;
      for (const api of ['userinfo', 'auth']) {
        expect((await sns(api, { openid: token.openid })).body.errcode).toBe(41001);
        expect((await sns(api, { access_token: 'nope', openid: token.openid })).body.errcode).toBe(40001);
      }
      const ok = { access_token: token.access_token, openid: token.openid };
      expect((await sns('auth', ok)).body).toEqual({ errcode: 0, errmsg: 'ok' });
      expect((await sns('auth', { ...ok, openid: 'o_other' })).body.errcode).toBe(40003);
      sim.advanceClock(7200);
      expect((await sns('userinfo', ok)).body.errcode).toBe(42001);
      expect((await sns('auth', ok)).body.errcode).toBe(42001);
    });

    test('a mini program access_token is not a user token (40001)', async () => {
      const appToken = (
        await getJson(
          `${sim.url}/cgi-bin/token?grant_type=client_credential&appid=${OA.appid}&secret=${OA.secret}`,
        )
      ).body;
      expect((await sns('auth', { access_token: appToken.access_token, openid: 'o_x' })).body.errcode).toBe(
        40001,
      );
    });

    test('refresh: a new access token, same refresh token; 30 days; errcodes', async () => {
      const first = (await exchange((await authorize(OA, 'snsapi_userinfo')).code)).body;
      const refresh = (params: Record<string, string>) =>
        sns('oauth2/refresh_token', {
          appid: OA.appid,
          grant_type: 'refresh_token',
          refresh_token: first.refresh_token,
          ...params,
        });
      sim.advanceClock(7200);
      const again = await refresh({});
      expect(again.body).toEqual({
        access_token: expect.any(String),
        expires_in: 7200,
        refresh_token: first.refresh_token,
        openid: first.openid,
        scope: 'snsapi_userinfo',
        unionid: first.unionid,
      });
      expect(again.body.access_token).not.toBe(first.access_token);
      expect(
        (await sns('auth', { access_token: again.body.access_token, openid: first.openid })).body.errcode,
      ).toBe(0);

      expect((await refresh({ appid: '' })).body.errcode).toBe(41002);
      expect((await refresh({ grant_type: 'authorization_code' })).body.errcode).toBe(40002);
      expect((await refresh({ refresh_token: '' })).body.errcode).toBe(41003);
      expect((await refresh({ appid: 'wx_unknown' })).body.errcode).toBe(40013);
      expect((await refresh({ refresh_token: 'nope' })).body.errcode).toBe(40030);
      expect((await refresh({ appid: WEB.appid })).body.errcode).toBe(40030);
      sim.advanceClock(30 * 86400 - 7200);
      expect((await refresh({})).body).toMatchObject({
        errcode: 42002,
        errmsg: expect.stringMatching(/^refresh_token expired rid: /),
      });
    });
  });

  describe('one person across apps', () => {
    test('an Official Account, a website app and a mini program of one Open Platform share the unionid', async () => {
      const mp = sim.mintLoginCode({ appid: MP.appid, person: 'bob' });
      const oa = (await exchange((await authorize(OA, 'snsapi_userinfo', { user: 'bob' })).code)).body;
      const web = (
        await exchange((await authorize(WEB, 'snsapi_login', { user: { person: 'bob' } })).code, WEB)
      ).body;
      expect(oa.unionid).toBe(mp.unionid);
      expect(web.unionid).toBe(mp.unionid);
      expect(new Set([mp.openid, oa.openid, web.openid]).size).toBe(3);
      const session = await getJson(
        `${sim.url}/sns/jscode2session?appid=${MP.appid}&secret=${MP.secret}&js_code=${mp.code}&grant_type=authorization_code`,
      );
      expect(session.body.unionid).toBe(oa.unionid);
    });

    test('an explicit unionid links a next-user to an existing mini program user', async () => {
      const mp = sim.mintLoginCode({ appid: MP.appid });
      const queued = await control.setNextOAuthUser({ appid: OA.appid, unionid: mp.unionid });
      const token = (await exchange((await authorize(OA, 'snsapi_userinfo')).code)).body;
      expect(token).toMatchObject({ openid: queued.openid, unionid: mp.unionid });
    });

    test('the same person gets the same openid on every authorize; default users are new each time', async () => {
      const a = (await exchange((await authorize(OA, 'snsapi_base', { user: 'carol' })).code)).body.openid;
      const b = (await exchange((await authorize(OA, 'snsapi_base', { user: 'carol' })).code)).body.openid;
      const c = (await exchange((await authorize(OA, 'snsapi_base')).code)).body.openid;
      expect(a).toBe(b);
      expect(c).not.toBe(a);
    });

    test('next-user input is checked', async () => {
      await expect(control.setNextOAuthUser({ appid: 'wx_unknown' })).rejects.toMatchObject({ status: 404 });
      await expect(
        control.setNextOAuthUser({ appid: OA.appid, openid: 'o1', person: 'p' }),
      ).rejects.toMatchObject({ status: 400 });
      await expect(
        control.setNextOAuthUser({ appid: UNBOUND_OA.appid, unionid: 'u1' }),
      ).rejects.toMatchObject({ status: 400 });
      await expect(control.setNextOAuthUser({ appid: OA.appid, sex: 3 as never })).rejects.toMatchObject({
        status: 400,
      });
      const page = await fetch(
        `${sim.url}/connect/oauth2/authorize?appid=${OA.appid}&redirect_uri=https://shop.example.com/&response_type=code&scope=snsapi_base&sim_user=a%20b`,
        { redirect: 'manual' },
      );
      expect(page.headers.get('x-sim-errcode')).toBe('10008');
    });
  });

  describe('faults on the sns endpoints', () => {
    test('errcode on access_token leaves the code usable; http502 on userinfo; appid/openid filters', async () => {
      const { code } = await authorize(OA, 'snsapi_userinfo', { user: { openid: 'o_fault_user' } });
      await control.injectFault({
        api: 'sns/oauth2/access_token',
        type: 'errcode',
        errcode: -1,
        openid: 'o_fault_user',
      });
      expect((await exchange(code)).body).toMatchObject({
        errcode: -1,
        errmsg: expect.stringMatching(/^system error rid: /),
      });
      const token = (await exchange(code)).body;
      expect(token.openid).toBe('o_fault_user');

      sim.injectFault({ api: 'sns/userinfo', type: 'http502', appid: WEB.appid });
      sim.injectFault({ api: 'sns/userinfo', type: 'http502', appid: OA.appid });
      const hit = await fetch(
        `${sim.url}/sns/userinfo?access_token=${token.access_token}&openid=${token.openid}`,
      );
      expect(hit.status).toBe(502);
      expect(await hit.text()).toContain('502 Bad Gateway');
      expect(sim.requests().at(-1)).toMatchObject({ path: '/sns/userinfo', fault: 'http502' });
      // the WEB-only rule is still there and does not hit OA calls
      expect(
        (await sns('userinfo', { access_token: token.access_token, openid: token.openid })).body.openid,
      ).toBe('o_fault_user');
    });

    test('every new api name is accepted; an unknown one is refused', async () => {
      for (const api of [
        'sns/oauth2/access_token',
        'sns/oauth2/refresh_token',
        'sns/userinfo',
        'sns/auth',
      ] as const) {
        expect(sim.injectFault({ api, type: 'delay', delayMs: 0 }).id).toMatch(/^fault-/);
      }
      await expect(control.injectFault({ api: 'sns/nope' as never, type: 'reset' })).rejects.toMatchObject({
        status: 400,
      });
      const token = (await exchange((await authorize(OA, 'snsapi_userinfo')).code)).body;
      sim.clearFaults();
      sim.injectFault({ api: 'sns/auth', type: 'errcode', errcode: 40001 });
      expect(
        (await sns('auth', { access_token: token.access_token, openid: token.openid })).body.errcode,
      ).toBe(40001);
      expect(
        (await sns('auth', { access_token: token.access_token, openid: token.openid })).body.errcode,
      ).toBe(0);
    });
  });

  test('app kinds: registered over HTTP, checked, conflicts 409; bad options refused at start', async () => {
    const app = {
      appid: 'wx00000000000000e5',
      secret: '3'.repeat(32),
      kind: 'website' as const,
      redirectDomains: ['a.example'],
    };
    await expect(control.registerApp(app)).resolves.toEqual({ appid: app.appid });
    await expect(control.registerApp(app)).resolves.toEqual({ appid: app.appid });
    await expect(control.registerApp({ ...app, kind: 'official_account' })).rejects.toMatchObject({
      status: 409,
    });
    await expect(control.registerApp({ ...app, redirectDomains: ['b.example'] })).rejects.toMatchObject({
      status: 409,
    });
    await expect(
      control.registerApp({ ...app, appid: 'wx_bad_kind', kind: 'app' as never }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      control.registerApp({ ...app, appid: 'wx_bad_domain', redirectDomains: ['https://a.example/'] }),
    ).rejects.toMatchObject({ status: 400 });
    expect((await authorize(app, 'snsapi_login', { redirectUri: 'https://a.example/cb' })).code).toBeTruthy();
    await expect(WechatSimulator.start({ apps: [{ ...app, kind: 'app' as never }] })).rejects.toThrow(/kind/);
    await expect(WechatSimulator.start({ apps: [{ ...app, redirectDomains: ['a b'] }] })).rejects.toThrow(
      /redirectDomains/,
    );
  });

  test('reset forgets OAuth codes, tokens and queued users', async () => {
    const { code } = await authorize(OA, 'snsapi_base');
    await control.setNextOAuthUser({ appid: OA.appid, openid: 'o_queued' });
    sim.reset();
    expect((await exchange(code)).body.errcode).toBe(40029);
    const next = (await exchange((await authorize(OA, 'snsapi_base')).code)).body.openid;
    expect(next).not.toBe('o_queued');
  });
});
