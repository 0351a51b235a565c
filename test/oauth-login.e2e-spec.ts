import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { SimulatorControlClient } from '../src/wechat-simulator/simulator-control.client.js';
import { DEFAULT_SIMULATOR_APP, WechatSimulator } from '../src/wechat-simulator/index.js';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { http } from './support/http.js';
import { TEST_SESSION_KEY_SECRET } from './support/test-stack.js';
import { startTestApp, type RunningTestApp } from './support/test-app.js';
import { testDatabaseUrl, testRedisPrefix, testRedisUrl } from './support/test-services.js';

// The web login (issue 19 point 4, docs/web-login.md) end to end: the real app on MariaDB + Redis, the
// simulator serving both WeChat's API and its authorize pages, and a small cookie-keeping "browser".

const PLATFORM = 'oauth-e2e-platform';
const OA = { appid: 'wx00000000000000e1', secret: randomBytes(16).toString('hex') };
const WEB = { appid: 'wx00000000000000e2', secret: randomBytes(16).toString('hex') };
const MINI = { ...DEFAULT_SIMULATOR_APP };
/** The front end the browser returns to; never contacted (the test reads the Location instead). */
const FRONT = 'http://front.test:8080';

const CALLBACK_COOKIE = 'wxauth_oauth';

interface Hop {
  status: number;
  location: string | null;
  headers: Headers;
  body: any;
}

/** One browser: keeps the app's cookies (only the state cookie matters here) and follows nothing itself. */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string, options: { cookie?: string | null } = {}): Promise<Hop> {
    const headers: Record<string, string> = {};
    const cookie = options.cookie !== undefined ? options.cookie : this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, { redirect: 'manual', headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (/;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
    const text = await response.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      headers: response.headers,
      body,
    };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

describe('web login: Official Account and website OAuth', () => {
  let simulator: WechatSimulator;
  let sim: SimulatorControlClient;
  let app: RunningTestApp;
  let db: DataSource;
  const logLines: string[] = [];
  /** Every value that must never reach a log line: tokens, codes, states, access tokens. */
  const secrets = new Set<string>([OA.secret, WEB.secret]);

  beforeAll(async () => {
    simulator = await WechatSimulator.start({
      port: 0,
      apps: [
        { ...MINI, openPlatformId: PLATFORM },
        { ...OA, kind: 'official_account', openPlatformId: PLATFORM, redirectDomains: ['127.0.0.1'] },
        { ...WEB, kind: 'website', openPlatformId: PLATFORM, redirectDomains: ['127.0.0.1'] },
      ],
    });
    sim = new SimulatorControlClient(simulator.url);
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    app = await startTestApp(
      {
        DATABASE_URL: testDatabaseUrl(),
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: `${testRedisPrefix('oauth')}${randomBytes(3).toString('hex')}:`,
        WECHAT_APPID: MINI.appid,
        WECHAT_SECRET: MINI.secret,
        WECHAT_API_BASE_URL: simulator.url,
        WECHAT_TIMEOUT_MS: '1500',
        WECHAT_OFFICIAL_ACCOUNT_APPID: OA.appid,
        WECHAT_OFFICIAL_ACCOUNT_SECRET: OA.secret,
        WECHAT_WEBSITE_APPID: WEB.appid,
        WECHAT_WEBSITE_SECRET: WEB.secret,
        OAUTH_REDIRECT_ALLOWLIST: `${FRONT},https://shop.example.com`,
        OAUTH_AUTHORIZE_BASE_URL: simulator.url,
        SESSION_KEY_SECRET: TEST_SESSION_KEY_SECRET,
        LOG_LEVEL: 'trace',
      },
      { logDestination: capture },
    );
    db = new DataSource(
      buildDataSourceOptions({ kind: 'mysql', url: testDatabaseUrl(), migrationsRun: false }),
    );
    await db.initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await app?.close();
    await simulator?.close();
  });

  beforeEach(async () => {
    await sim.clearFaults();
  });

  /** Keeps the user access tokens WeChat handed out, for the log check. */
  async function harvestAccessTokens(): Promise<void> {
    for (const call of await sim.requests()) {
      const token = (call.response as { access_token?: unknown } | null)?.access_token;
      if (typeof token === 'string') secrets.add(token);
    }
  }

  /** Keeps the access tokens, then empties the simulator's request log. */
  async function clearRequests(): Promise<void> {
    await harvestAccessTokens();
    await sim.clearRequests();
  }

  const start = (browser: Browser, appid: string, query: Record<string, string>) =>
    browser.get(`${app.url}/auth/oauth/${appid}/authorize?${new URLSearchParams(query)}`);

  /** The user on WeChat's page: follows our 302 to the simulator's page and returns its 302 back to us. */
  async function authorizeAt(location: string, person?: string): Promise<URL> {
    const page = new URL(location);
    if (person) page.searchParams.set('sim_user', person);
    const answer = await fetch(page, { redirect: 'manual' });
    await answer.text();
    expect({ status: answer.status, errcode: answer.headers.get('x-sim-errcode') }).toEqual({
      status: 302,
      errcode: null,
    });
    const back = new URL(answer.headers.get('location')!);
    secrets.add(back.searchParams.get('code')!);
    secrets.add(back.searchParams.get('state')!);
    return back;
  }

  /** A whole login in one browser; returns the final hop and the callback URL WeChat sent back. */
  async function webLogin(
    appid: string,
    scope: string,
    options: { person?: string; browser?: Browser; redirect?: string; merge?: boolean } = {},
  ): Promise<{ final: Hop; callback: URL; browser: Browser }> {
    const browser = options.browser ?? new Browser();
    const query: Record<string, string> = { redirect: options.redirect ?? `${FRONT}/done`, scope };
    if (options.merge) query.merge = 'true';
    const started = await start(browser, appid, query);
    expect(started.status).toBe(302);
    const callback = await authorizeAt(started.location!, options.person);
    const final = await browser.get(callback.toString());
    return { final, callback, browser };
  }

  /** The fragment of a final redirect to the front end, which must carry nothing in its query. */
  function fragmentOf(hop: Hop, page = `${FRONT}/done`): URLSearchParams {
    expect(hop.status).toBe(302);
    const location = new URL(hop.location!);
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(page);
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get('token');
    if (token) secrets.add(token);
    return fragment;
  }

  async function me(token: string) {
    return http('GET', `${app.url}/users/me`, { token });
  }

  test('Official Account, snsapi_base: authorize redirect, state cookie, callback, token in the fragment', async () => {
    const browser = new Browser();
    const started = await start(browser, OA.appid, { redirect: `${FRONT}/done`, scope: 'snsapi_base' });

    // To WeChat's authorize page (here the simulator's), with our callback and a fresh state.
    expect(started.status).toBe(302);
    const page = new URL(started.location!);
    expect(`${page.origin}${page.pathname}`).toBe(`${simulator.url}/connect/oauth2/authorize`);
    expect(page.hash).toBe('#wechat_redirect');
    const state = page.searchParams.get('state')!;
    expect(Object.fromEntries(page.searchParams)).toEqual({
      appid: OA.appid,
      redirect_uri: `${app.url}/auth/oauth/${OA.appid}/callback`,
      response_type: 'code',
      scope: 'snsapi_base',
      state,
    });
    expect(state).toMatch(/^[0-9a-f]{32}$/);
    expect(started.headers.get('cache-control')).toBe('no-store');

    // The state cookie: HttpOnly, Lax, scoped to the callback, 10 minutes; not Secure over http; it
    // never holds the state itself.
    const setCookie = started.headers.getSetCookie();
    expect(setCookie).toHaveLength(1);
    const attributes = setCookie[0].split(/;\s*/).slice(1).sort();
    expect(attributes).toEqual(
      ['HttpOnly', 'Max-Age=600', `Path=/auth/oauth/${OA.appid}/callback`, 'SameSite=Lax'].sort(),
    );
    expect(setCookie[0]).not.toContain(state);

    const callback = await authorizeAt(started.location!, `base-${randomBytes(4).toString('hex')}`);
    expect(callback.searchParams.get('state')).toBe(state);
    await clearRequests();
    const final = await browser.get(callback.toString());

    const fragment = fragmentOf(final);
    expect([...fragment.keys()].sort()).toEqual(['expiresAt', 'token']);
    expect(Date.parse(fragment.get('expiresAt')!)).toBeGreaterThan(Date.now());
    expect(final.headers.get('cache-control')).toBe('no-store');
    // Single use: the callback clears the cookie.
    expect(final.headers.getSetCookie()[0]).toMatch(new RegExp(`^${CALLBACK_COOKIE}=;.*Max-Age=0`));
    expect(browser.cookies.size).toBe(0);

    // One code exchange with the Official Account's credentials; snsapi_base reads no profile.
    const calls = await sim.requests();
    expect(calls.map((call) => call.path)).toEqual(['/sns/oauth2/access_token']);
    expect(calls[0].query).toMatchObject({ appid: OA.appid, grant_type: 'authorization_code' });

    // The token is a session like any other: it opens guarded routes.
    const profile = await me(fragment.get('token')!);
    expect(profile.status).toBe(200);
    expect(profile.body.id).toEqual(expect.any(Number));
  });

  test('mini program, Official Account (snsapi_userinfo) and website (snsapi_login): one person, one user', async () => {
    const person = `alice-${randomBytes(4).toString('hex')}`;
    const { code } = await sim.mintLoginCode({ appid: MINI.appid, person });
    const mini = await http('POST', `${app.url}/auth/login`, { body: { code } });
    expect(mini.status).toBe(200);
    secrets.add(mini.body.token);
    const miniUser = (await me(mini.body.token)).body.id;
    expect(miniUser).toEqual(expect.any(Number));

    await clearRequests();
    const oa = fragmentOf((await webLogin(OA.appid, 'snsapi_userinfo', { person })).final);
    const website = fragmentOf((await webLogin(WEB.appid, 'snsapi_login', { person })).final);
    // The unionid comes from sns/userinfo for these scopes.
    const calls = (await sim.requests()).map((call) => call.path);
    expect(calls.filter((path) => path === '/sns/userinfo')).toHaveLength(2);
    await harvestAccessTokens();

    const users = await Promise.all([me(oa.get('token')!), me(website.get('token')!)]);
    expect(users.map((user) => user.status)).toEqual([200, 200]);
    // Needs the person/identity model (users joined by unionid): the same user as the mini program's.
    expect(users.map((user) => user.body.id)).toEqual([miniUser, miniUser]);
  });

  test('a web login whose unionid belongs to another account lands on the page as ACCOUNT_CONFLICT; merge=true joins them', async () => {
    const person = `bob-${randomBytes(4).toString('hex')}`;
    // snsapi_base carries no unionid: the Official Account identity becomes a person of its own.
    const silent = fragmentOf((await webLogin(OA.appid, 'snsapi_base', { person })).final);
    const first = (await me(silent.get('token')!)).body.id;
    // The mini program's login carries the unionid, which nobody holds yet: a second person.
    const { code } = await sim.mintLoginCode({ appid: MINI.appid, person });
    const mini = await http('POST', `${app.url}/auth/login`, { body: { code } });
    secrets.add(mini.body.token);
    expect(mini.body.user.id).not.toBe(first);

    // snsapi_userinfo reveals the unionid: the identity's person and the unionid's person differ.
    const conflict = fragmentOf((await webLogin(OA.appid, 'snsapi_userinfo', { person })).final);
    expect(Object.fromEntries(conflict)).toEqual({ error: 'ACCOUNT_CONFLICT', mergeable: 'true' });
    expect((await me(mini.body.token)).body.id).toBe(mini.body.user.id);

    const merged = fragmentOf((await webLogin(OA.appid, 'snsapi_userinfo', { person, merge: true })).final);
    const survivor = Math.min(first, mini.body.user.id);
    expect((await me(merged.get('token')!)).body.id).toBe(survivor);
    // The mini program's session moved to the surviving person.
    expect((await me(mini.body.token)).body.id).toBe(survivor);

    const badMerge = await start(new Browser(), OA.appid, { redirect: `${FRONT}/done`, merge: 'yes' });
    expect(badMerge.status).toBe(400);
  });

  describe('the state is bound to the browser and used once', () => {
    test('a missing or tampered state, or a tampered cookie: 400 OAUTH_STATE_INVALID, and no code exchanged', async () => {
      const browser = new Browser();
      const started = await start(browser, OA.appid, { redirect: `${FRONT}/done` });
      const callback = await authorizeAt(started.location!);
      const code = callback.searchParams.get('code')!;
      const state = callback.searchParams.get('state')!;
      const base = `${app.url}/auth/oauth/${OA.appid}/callback`;
      await clearRequests();

      const noState = await browser.get(`${base}?${new URLSearchParams({ code })}`);
      const otherState = await browser.get(
        `${base}?${new URLSearchParams({ code, state: state.replace(/^./, state[0] === 'a' ? 'b' : 'a') })}`,
      );
      // The cookie's payload re-signed by nobody: its MAC no longer matches.
      const [version, payload, mac] = browser.cookies.get(CALLBACK_COOKIE)!.split('.');
      const login = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const forged = Buffer.from(
        JSON.stringify({ ...login, redirect: 'https://shop.example.com/x' }),
      ).toString('base64url');
      const tamperedCookie = await browser.get(callback.toString(), {
        cookie: `${CALLBACK_COOKIE}=${version}.${forged}.${mac}`,
      });
      // The cookie of another app's login does not serve this one.
      const wrongApp = await browser.get(
        `${app.url}/auth/oauth/${WEB.appid}/callback?${new URLSearchParams({ code, state })}`,
      );
      for (const hop of [noState, otherState, tamperedCookie, wrongApp]) {
        expect({ status: hop.status, code: hop.body?.code, location: hop.location }).toEqual({
          status: 400,
          code: 'OAUTH_STATE_INVALID',
          location: null,
        });
      }
      expect(await sim.requests()).toEqual([]);

      // None of that used the state up: the real callback still logs in.
      expect(fragmentOf(await browser.get(callback.toString())).get('token')).toBeTruthy();
    });

    test("another browser's callback (login CSRF): 400, and the rightful browser still logs in", async () => {
      const victim = new Browser();
      const attacker = new Browser();
      const attackerStart = await start(attacker, OA.appid, { redirect: `${FRONT}/done` });
      const attackerCallback = await authorizeAt(attackerStart.location!);
      // The victim has a login of their own under way (their own cookie), or none at all.
      await start(victim, OA.appid, { redirect: `${FRONT}/done` });
      await clearRequests();

      const withOwnCookie = await victim.get(attackerCallback.toString());
      const withoutCookie = await victim.get(attackerCallback.toString(), { cookie: null });
      for (const hop of [withOwnCookie, withoutCookie]) {
        expect({ status: hop.status, code: hop.body?.code }).toEqual({
          status: 400,
          code: 'OAUTH_STATE_INVALID',
        });
      }
      expect(await sim.requests()).toEqual([]);
      expect(fragmentOf(await attacker.get(attackerCallback.toString())).get('token')).toBeTruthy();
    });

    test('a replayed callback (same cookie, code and state): 400, not a second session', async () => {
      const browser = new Browser();
      const started = await start(browser, WEB.appid, { redirect: `${FRONT}/done` });
      const cookie = browser.cookieHeader();
      const callback = await authorizeAt(started.location!);
      expect(fragmentOf(await browser.get(callback.toString())).get('token')).toBeTruthy();

      await clearRequests();
      const replay = await browser.get(callback.toString(), { cookie });
      expect({ status: replay.status, code: replay.body?.code, location: replay.location }).toEqual({
        status: 400,
        code: 'OAUTH_STATE_INVALID',
        location: null,
      });
      expect(await sim.requests()).toEqual([]);
    });
  });

  describe('the start route', () => {
    test('a redirect off the allow-list: 400 OAUTH_REDIRECT_NOT_ALLOWED, no redirect and no cookie', async () => {
      for (const redirect of [
        'https://evil.example/done',
        'http://front.test:8081/done', // another port: another origin
        'https://front.test:8080/done', // another scheme
        'http://front.test:8080.evil.example/done',
        'http://front.test:8080@evil.example/done',
        'http://user@front.test:8080/done',
        `${FRONT}/done#already=1`,
        '/done',
        'javascript:alert(1)',
      ]) {
        const hop = await start(new Browser(), OA.appid, { redirect });
        expect({ redirect, status: hop.status, code: hop.body?.code, location: hop.location }).toEqual({
          redirect,
          status: 400,
          code: 'OAUTH_REDIRECT_NOT_ALLOWED',
          location: null,
        });
        expect(hop.headers.getSetCookie()).toEqual([]);
      }
      // Any path and query on an allowed origin is fine, and comes back as given.
      const { final } = await webLogin(OA.appid, 'snsapi_base', {
        redirect: 'https://shop.example.com/account?tab=orders',
      });
      expect(fragmentOf(final, 'https://shop.example.com/account?tab=orders').get('token')).toBeTruthy();
    });

    test('an appid without web login, a scope its page does not serve, no redirect: 400', async () => {
      const cases: [string, Record<string, string>, string][] = [
        [MINI.appid, { redirect: `${FRONT}/done` }, 'UNKNOWN_APPID'],
        ['wx00000000000000ff', { redirect: `${FRONT}/done` }, 'UNKNOWN_APPID'],
        [OA.appid, { redirect: `${FRONT}/done`, scope: 'snsapi_login' }, 'VALIDATION_FAILED'],
        [WEB.appid, { redirect: `${FRONT}/done`, scope: 'snsapi_base' }, 'VALIDATION_FAILED'],
        [OA.appid, {}, 'VALIDATION_FAILED'],
      ];
      for (const [appid, query, code] of cases) {
        const hop = await start(new Browser(), appid, query);
        expect({ appid, query, status: hop.status, code: hop.body?.code }).toEqual({
          appid,
          query,
          status: 400,
          code,
        });
      }
      // The website page is WeChat's QR page.
      const website = await start(new Browser(), WEB.appid, { redirect: `${FRONT}/done` });
      expect(new URL(website.location!).pathname).toBe('/connect/qrconnect');
      expect(new URL(website.location!).searchParams.get('scope')).toBe('snsapi_login');
    });
  });

  describe("WeChat's refusals reach the page as #error=<CODE>, with no session", () => {
    /** Starts a login and has the user authorize; returns the browser and the callback URL, not yet followed. */
    async function authorized(appid = OA.appid, scope = 'snsapi_base', person?: string) {
      const browser = new Browser();
      const started = await start(browser, appid, { redirect: `${FRONT}/done`, scope });
      return { browser, callback: await authorizeAt(started.location!, person) };
    }

    function errorOf(hop: Hop): string | null {
      const fragment = fragmentOf(hop);
      expect(fragment.get('token')).toBeNull();
      return fragment.get('error');
    }

    test('the user denies (WeChat sends no code): OAUTH_DENIED, audited as a failed login', async () => {
      const { browser, callback } = await authorized(WEB.appid, 'snsapi_login');
      callback.searchParams.delete('code');
      const hop = await browser.get(callback.toString());
      expect(errorOf(hop)).toBe('OAUTH_DENIED');
      const requestId = hop.headers.get('x-request-id');
      expect(requestId).toEqual(expect.any(String));
      // The audit trail writes in batches every 250 ms.
      let rows: { kind: string; code: string; appid: string }[] = [];
      for (let i = 0; i < 20 && rows.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await db.query('SELECT kind, code, appid FROM audit_events WHERE request_id = ?', [requestId]);
      }
      expect(rows).toEqual([{ kind: 'login.failed', code: 'OAUTH_DENIED', appid: WEB.appid }]);
    });

    test('an invalid code: OAUTH_CODE_INVALID; a used code: OAUTH_CODE_USED', async () => {
      const invalid = await authorized();
      invalid.callback.searchParams.set('code', 'NotACodeWeChatEverIssued00000000');
      expect(errorOf(await invalid.browser.get(invalid.callback.toString()))).toBe('OAUTH_CODE_INVALID');

      // Someone exchanged the code first (WeChat answers 40163 to the second exchange).
      const used = await authorized();
      const first = await fetch(
        `${simulator.url}/sns/oauth2/access_token?${new URLSearchParams({
          appid: OA.appid,
          secret: OA.secret,
          code: used.callback.searchParams.get('code')!,
          grant_type: 'authorization_code',
        })}`,
      ).then((response) => response.json() as Promise<{ openid?: string }>);
      expect(first.openid).toEqual(expect.any(String));
      expect(errorOf(await used.browser.get(used.callback.toString()))).toBe('OAUTH_CODE_USED');
    });

    test('WeChat busy, unreachable or answering garbage: WECHAT_UNAVAILABLE / WECHAT_BAD_GATEWAY', async () => {
      const cases: [string, object, string][] = [
        ['sns/oauth2/access_token', { type: 'errcode', errcode: -1 }, 'WECHAT_UNAVAILABLE'],
        ['sns/oauth2/access_token', { type: 'reset' }, 'WECHAT_UNAVAILABLE'],
        ['sns/oauth2/access_token', { type: 'http502' }, 'WECHAT_BAD_GATEWAY'],
        ['sns/oauth2/access_token', { type: 'errcode', errcode: 40125 }, 'WECHAT_BAD_GATEWAY'],
        // userinfo is retried once on -1: twice busy is a failure, and no session without the unionid.
        ['sns/userinfo', { type: 'errcode', errcode: -1, times: 2 }, 'WECHAT_UNAVAILABLE'],
      ];
      for (const [api, fault, code] of cases) {
        const { browser, callback } = await authorized(OA.appid, 'snsapi_userinfo');
        await sim.injectFault({ api, ...fault } as never);
        expect({ api, fault, error: errorOf(await browser.get(callback.toString())) }).toEqual({
          api,
          fault,
          error: code,
        });
        await sim.clearFaults();
      }
    });

    test("a snapshot page's virtual user: OAUTH_SNAPSHOT_USER", async () => {
      await sim.setNextOAuthUser({ appid: OA.appid, snapshot: true });
      const { browser, callback } = await authorized(OA.appid, 'snsapi_userinfo');
      expect(errorOf(await browser.get(callback.toString()))).toBe('OAUTH_SNAPSHOT_USER');
    });
  });

  test('both routes are in the OpenAPI document: public, 302, their error codes', async () => {
    const document = (await http('GET', `${app.url}/docs-json`)).body;
    const authorize = document.paths['/auth/oauth/{appid}/authorize'].get;
    const callback = document.paths['/auth/oauth/{appid}/callback'].get;
    for (const operation of [authorize, callback]) {
      expect(operation.tags).toEqual(['auth']);
      expect(operation.security ?? []).toEqual([]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['302', '400']));
    }
    expect(authorize.responses['400'].description).toContain('`OAUTH_REDIRECT_NOT_ALLOWED`');
    expect(callback.responses['400'].description).toContain('`OAUTH_STATE_INVALID`');
    expect(callback.description).toContain('`OAUTH_DENIED`');
    expect(authorize.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
      'appid',
      'merge',
      'redirect',
      'scope',
    ]);
  });

  test('no token, code, state, access_token or secret in any log line', async () => {
    await harvestAccessTokens();
    // The earlier tests ran with LOG_LEVEL=trace and put their values here.
    expect(secrets.size).toBeGreaterThan(20);
    expect(logLines.length).toBeGreaterThan(20);
    const text = logLines.join('');
    expect(text).toContain('/auth/oauth/:appid/callback');
    const leaked = [...secrets].filter((value) => value && text.includes(value));
    expect(leaked).toEqual([]);
  });
});
