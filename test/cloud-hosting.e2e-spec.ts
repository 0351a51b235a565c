import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IS_PUBLIC_KEY } from '../src/auth/index.js';
import { DEFAULT_SIMULATOR_APP } from '../src/wechat-simulator/index.js';
import { http } from './support/http.js';
import { newOpenid, startTestStack, type TestStack } from './support/test-stack.js';

const APP_A = DEFAULT_SIMULATOR_APP;
const APP_B = { appid: 'wx00000000000000b2', secret: 'b2'.repeat(16) };
/** Not among WECHAT_APPID. */
const STRANGER_APPID = 'wx0000000000000bad';
const OPEN_PLATFORM = 'cloud-hosting-open-platform';

/** Two mini programs of one Open Platform account: a unionid is one person across them. */
const twoApps = (label: string, env: Record<string, string> = {}) =>
  startTestStack(
    label,
    {
      WECHAT_APPID: `${APP_A.appid},${APP_B.appid}`,
      WECHAT_SECRET: `${APP_A.secret},${APP_B.secret}`,
      ...env,
    },
    {
      apps: [
        { ...APP_A, openPlatformId: OPEN_PLATFORM },
        { ...APP_B, openPlatformId: OPEN_PLATFORM },
      ],
    },
  );

/** What Cloud Hosting puts on a `wx.cloud.callContainer` request from a mini program. */
const injected = (appid: string, openid: string, extra: Record<string, string> = {}) => ({
  'x-wx-appid': appid,
  'x-wx-openid': openid,
  'x-wx-source': 'wx_client',
  'x-wx-env': 'prod-0a1b2c',
  ...extra,
});

describe('POST /auth/login/cloud-hosting with WECHAT_CLOUD_HOSTING=true', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await twoApps('cloud-hosting', { WECHAT_CLOUD_HOSTING: 'true' });
  });

  afterAll(async () => {
    await stack.close();
  });

  const cloudLogin = (headers: Record<string, string>) =>
    http('POST', `${stack.url}/auth/login/cloud-hosting`, { headers });

  test('the injected identity logs in as the user a wx.login of that openid in that app gets', async () => {
    const openid = newOpenid();
    const viaCode = await stack.login({ openid });
    expect(viaCode.status).toBe(200);

    const response = await cloudLogin(injected(APP_A.appid, openid));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: expect.objectContaining({ id: viaCode.body.user.id }),
    });
    expect(response.text).not.toContain(openid);

    const me = await http('GET', `${stack.url}/users/me`, { token: response.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(viaCode.body.user.id);
    // A session of its own, listed beside the code login's, in the app the headers named.
    const sessions = await http('GET', `${stack.url}/auth/sessions`, { token: response.body.token });
    expect(sessions.body).toHaveLength(2);
  });

  test('a first Cloud Hosting login creates the user; a later wx.login of that openid finds it', async () => {
    const openid = newOpenid();
    const first = await cloudLogin(injected(APP_B.appid, openid));
    expect(first.status).toBe(200);
    const { code } = await stack.sim.mintLoginCode({ appid: APP_B.appid, openid });
    const viaCode = await http('POST', `${stack.url}/auth/login`, { body: { code, appid: APP_B.appid } });
    expect(viaCode.status).toBe(200);
    expect(viaCode.body.user.id).toBe(first.body.user.id);
  });

  test('resource sharing: the X-WX-FROM-* identity is the caller', async () => {
    const openid = newOpenid();
    const viaCode = await stack.login({ openid });
    const response = await cloudLogin({
      'x-wx-appid': APP_B.appid, // the environment's owner
      'x-wx-from-appid': APP_A.appid,
      'x-wx-from-openid': openid,
      'x-wx-source': 'wx_client',
    });
    expect(response.status).toBe(200);
    expect(response.body.user.id).toBe(viaCode.body.user.id);
  });

  test("an X-WX-UNIONID joins the person with that unionid from the other app (needs the lead's person model)", async () => {
    const unionid = 'oU' + newOpenid().slice(2);
    const { code } = await stack.sim.mintLoginCode({ appid: APP_A.appid, openid: newOpenid(), unionid });
    const inA = await http('POST', `${stack.url}/auth/login`, { body: { code } });
    expect(inA.status).toBe(200);

    const inB = await cloudLogin(injected(APP_B.appid, newOpenid(), { 'x-wx-unionid': unionid }));
    expect(inB.status).toBe(200);
    expect(inB.body.user.id).toBe(inA.body.user.id);
  });

  test.each([
    ['no X-WX-* header at all', {}],
    ['no X-WX-OPENID', { 'x-wx-appid': APP_A.appid, 'x-wx-source': 'wx_client' }],
    ['no X-WX-APPID', { 'x-wx-openid': 'oAbc', 'x-wx-source': 'wx_client' }],
    ['no X-WX-SOURCE', { 'x-wx-appid': APP_A.appid, 'x-wx-openid': 'oAbc' }],
    ['a public-network call (wx_http)', injected(APP_A.appid, 'oAbc', { 'x-wx-source': 'wx_http' })],
    ['a crawler (wx_crawler)', injected(APP_A.appid, 'oAbc', { 'x-wx-source': 'wx_crawler' })],
    ['a malformed openid', injected(APP_A.appid, 'o a b')],
  ])('%s: 401 CLOUD_HOSTING_IDENTITY_MISSING, no session', async (_label, headers) => {
    const response = await cloudLogin(headers);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'CLOUD_HOSTING_IDENTITY_MISSING' });
    expect(response.body.token).toBeUndefined();
  });

  test('DevTools and a chained source (wx_client,scf) are mini program calls', async () => {
    for (const source of ['wx_devtools', 'wx_client,scf']) {
      const response = await cloudLogin(injected(APP_A.appid, newOpenid(), { 'x-wx-source': source }));
      expect(response.status).toBe(200);
    }
  });

  test('an appid this service does not serve: 400 UNKNOWN_APPID', async () => {
    const response = await cloudLogin(injected(STRANGER_APPID, newOpenid()));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'UNKNOWN_APPID' });
  });

  test('the headers authenticate nothing but this route: a guarded route still wants the token', async () => {
    const response = await http('GET', `${stack.url}/users/me`, {
      headers: injected(APP_A.appid, newOpenid()),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ code: 'SESSION_INVALID' });
  });
});

describe('without WECHAT_CLOUD_HOSTING, forged X-WX-* headers get nothing', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await twoApps('cloud-hosting-off');
  });

  afterAll(async () => {
    await stack.close();
  });

  const sessionKeys = async () => (await stack.redis.keys(`${stack.redisPrefix}session:*`)).length;

  test('the route does not exist', async () => {
    const openid = newOpenid();
    await stack.login({ openid });
    const response = await http('POST', `${stack.url}/auth/login/cloud-hosting`, {
      headers: injected(APP_A.appid, openid),
    });
    expect(response.status).toBe(404);
    expect(response.body.token).toBeUndefined();
  });

  test('every public route and a guarded one: no session, no token, 401 where a session is needed', async () => {
    const openid = newOpenid();
    const known = await stack.login({ openid });
    expect(known.status).toBe(200);
    const forged = injected(APP_A.appid, openid, {
      'x-wx-unionid': 'oU' + openid.slice(2),
      'x-wx-from-appid': APP_A.appid,
      'x-wx-from-openid': openid,
      'x-wx-cloudbase-access-token': 'forged',
    });
    const before = await sessionKeys();

    const routes = publicRoutes(stack.app.app);
    // The module's login and logout and the app's health checks at least, so the walk found the routes.
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'POST', path: '/auth/login' },
        { method: 'POST', path: '/auth/logout' },
        { method: 'GET', path: '/health/live' },
      ]),
    );
    for (const { method, path } of routes) {
      const response = await http(method, `${stack.url}${path}`, {
        headers: forged,
        body: method === 'GET' || method === 'HEAD' ? undefined : {},
      });
      expect({ method, path, token: response.body?.token }).toEqual({ method, path, token: undefined });
      expect(response.text).not.toContain(openid);
    }
    for (const path of ['/users/me', '/auth/sessions']) {
      const response = await http('GET', `${stack.url}${path}`, { headers: forged });
      expect({ path, status: response.status, code: response.body?.code }).toEqual({
        path,
        status: 401,
        code: 'SESSION_INVALID',
      });
    }
    expect(await sessionKeys()).toBe(before);
  });
});

/** Every `@Public()` route of the app's controllers, path parameters filled with a dummy value. */
function publicRoutes(app: NestFastifyApplication): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller?.prototype) continue;
      const base = normalise(Reflect.getMetadata(PATH_METADATA, controller));
      const classPublic = Reflect.getMetadata(IS_PUBLIC_KEY, controller) === true;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (path === undefined) continue;
        const isPublic = Reflect.getMetadata(IS_PUBLIC_KEY, handler) ?? classPublic;
        if (isPublic !== true) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const full = `${base}${normalise(path)}`.replace(/:[A-Za-z]+/g, 'x') || '/';
        routes.push({ method: method === 'ALL' ? 'GET' : method, path: full });
      }
    }
  }
  return routes;
}

function normalise(path: string | string[] | undefined): string {
  const first = Array.isArray(path) ? path[0] : path;
  const trimmed = (first ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

describe('the login routes share one per-address budget', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await twoApps('cloud-hosting-limit', {
      WECHAT_CLOUD_HOSTING: 'true',
      TRUST_PROXY: '1',
      RATE_LIMIT_LOGIN_PER_MINUTE: '2',
    });
  });

  afterAll(async () => {
    await stack.close();
  });

  test('two code logins spend the address budget of the Cloud Hosting login; another address still logs in', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    for (let i = 0; i < 2; i++) {
      const { code } = await stack.sim.mintLoginCode({ appid: APP_A.appid });
      const response = await http('POST', `${stack.url}/auth/login`, {
        body: { code },
        headers: from('198.51.100.77'),
      });
      expect(response.status).toBe(200);
    }
    const cloudLogin = (address: string) =>
      http('POST', `${stack.url}/auth/login/cloud-hosting`, {
        headers: { ...injected(APP_A.appid, newOpenid()), ...from(address) },
      });
    const refused = await cloudLogin('198.51.100.77');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await cloudLogin('198.51.100.78')).status).toBe(200);
  });
});
