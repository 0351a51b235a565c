import { describe, expect, test } from '@jest/globals';
import { resolveAuthOptions } from '../auth-options.validation.js';
import {
  hashOAuthState,
  newOAuthState,
  OAuthStateSealer,
  stateCookie,
  stateCookieValues,
  type OAuthStartedLogin,
} from './oauth-state.js';

const SECRET = 'unit-test-session-key-secret-0123456789';

function login(overrides: Partial<OAuthStartedLogin> = {}): OAuthStartedLogin {
  return {
    stateHash: hashOAuthState('0123456789abcdef0123456789abcdef'),
    appid: 'wx00000000000000e1',
    scope: 'snsapi_base',
    redirect: 'https://shop.example.com/done',
    expiresAt: Date.now() + 600_000,
    ...overrides,
  };
}

describe('the state cookie', () => {
  test('a state is 32 hex characters (WeChat: letters and digits, ≤ 128 bytes), fresh each time', () => {
    const states = new Set(Array.from({ length: 50 }, () => newOAuthState()));
    expect(states.size).toBe(50);
    for (const state of states) expect(state).toMatch(/^[0-9a-f]{32}$/);
  });

  test('opens what it sealed; refuses a changed payload or MAC, another secret, an expired login', () => {
    const sealer = new OAuthStateSealer(SECRET);
    const value = sealer.seal(login());
    expect(sealer.open(value)).toEqual(login({ expiresAt: expect.any(Number) as never }));

    const [version, payload, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify(login({ redirect: 'https://evil.example/' }))).toString(
      'base64url',
    );
    expect(sealer.open(`${version}.${forged}.${mac}`)).toBeNull();
    expect(sealer.open(`${version}.${payload}.${mac.slice(1)}A`)).toBeNull();
    expect(sealer.open(`${version}.${payload}`)).toBeNull();
    expect(sealer.open(`${value}.x`)).toBeNull();
    expect(sealer.open('')).toBeNull();
    expect(new OAuthStateSealer(`${SECRET}-other`).open(value)).toBeNull();
    expect(sealer.open(sealer.seal(login({ expiresAt: Date.now() - 1 })))).toBeNull();
  });

  test('attributes: HttpOnly, SameSite=Lax, its path and lifetime; Secure only over https', () => {
    expect(stateCookie('v', '/auth/oauth/wx1/callback', 600, false)).toBe(
      'wxauth_oauth=v; Path=/auth/oauth/wx1/callback; Max-Age=600; HttpOnly; SameSite=Lax',
    );
    expect(stateCookie('', '/p', 0, true)).toBe(
      'wxauth_oauth=; Path=/p; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
  });

  test('reads every value of the cookie from a Cookie header, and nothing else', () => {
    expect(stateCookieValues('a=1; wxauth_oauth=v1.x.y;b=2; wxauth_oauth=v1.z.w')).toEqual([
      'v1.x.y',
      'v1.z.w',
    ]);
    expect(stateCookieValues('wxauth_oauthX=1; xwxauth_oauth=2')).toEqual([]);
    expect(stateCookieValues(undefined)).toEqual([]);
  });
});

describe('oauth options', () => {
  const base = {
    inMemoryStore: true,
    sessionKeySecret: SECRET,
    users: { findOrCreate: async () => ({ id: 1, snapshot: null }) },
  };
  const wechat = {
    apps: [
      { appid: 'wx00000000000000a1', secret: 's' },
      { appid: 'wx00000000000000e1', secret: 's', kind: 'official_account' as const },
    ],
  };

  test('resolved with defaults when declared', () => {
    const resolved = resolveAuthOptions(
      {
        ...base,
        wechat,
        oauth: { redirectAllowlist: ['https://shop.example.com', 'http://127.0.0.1:3000/'] },
      },
      true,
      true,
    );
    expect(resolved.oauth).toEqual({
      allowedOrigins: new Set(['https://shop.example.com', 'http://127.0.0.1:3000']),
      authorizeBaseUrl: 'https://open.weixin.qq.com',
      publicBaseUrl: undefined,
      stateTtlSeconds: 600,
    });
  });

  test('every problem listed: origins with paths, bad URLs, no web app, options without the extra', () => {
    const problems = (run: () => unknown): string[] => {
      try {
        run();
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(
      problems(() =>
        resolveAuthOptions(
          {
            ...base,
            wechat: { apps: [wechat.apps[0]] },
            oauth: {
              redirectAllowlist: ['https://shop.example.com/path', 'ftp://x', 'nope'],
              authorizeBaseUrl: 'https://open.weixin.qq.com/?x=1',
              publicBaseUrl: 'https://user:pw@api.example.com',
              stateTtlSeconds: 5,
            },
          },
          true,
          true,
        ),
      ),
    ).toEqual([
      '`oauth.redirectAllowlist[0]` must be an http(s) origin without a path',
      '`oauth.redirectAllowlist[1]` must be an http(s) origin without a path',
      '`oauth.redirectAllowlist[2]` must be an http(s) origin without a path',
      '`oauth.authorizeBaseUrl` must be an http(s) URL without a query or fragment',
      '`oauth.publicBaseUrl` must be an http(s) URL without a query, fragment or credentials',
      '`oauth.stateTtlSeconds` must be a whole number from 60 to 3600',
      'the web login needs an app of kind `official_account` or `website` in `wechat.apps`',
    ]);
    expect(problems(() => resolveAuthOptions({ ...base, wechat }, true, true))).toEqual([
      'the `oauthRoutes` extra needs `oauth` (at least `redirectAllowlist`)',
    ]);
    expect(
      problems(() =>
        resolveAuthOptions({ ...base, wechat, oauth: { redirectAllowlist: ['https://a.example'] } }, true),
      ),
    ).toEqual(['`oauth` is set but the module was declared without the `oauthRoutes: true` extra']);
    const codeOnly = {
      defaultAppid: 'wx00000000000000a1',
      code2SessionTimeoutMs: 1000,
      hasApp: () => true,
      code2Session: async () => ({ openid: 'o', sessionKey: 'k' }),
    };
    expect(
      problems(() =>
        resolveAuthOptions(
          { ...base, wechatClient: codeOnly, oauth: { redirectAllowlist: ['https://a.example'] } },
          true,
          true,
        ),
      ),
    ).toEqual([
      '`wechatClient` must also implement WechatOAuthClient (appKind, oauthAccessToken, oauthUserInfo) for the web login',
    ]);
  });
});
