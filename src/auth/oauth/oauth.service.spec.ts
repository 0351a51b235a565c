import { describe, expect, test } from '@jest/globals';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import type { AuthService } from '../auth.service.js';
import { MemoryLoginCodeLedger } from '../login/login-code.ledger.js';
import type { WechatOAuthClient } from './oauth-client.port.js';
import { resolveOAuthOptions, type AuthOAuthOptions } from './oauth-options.js';
import { OAuthService } from './oauth.service.js';

const OA = 'wx00000000000000e1';

function service(oauth: Partial<AuthOAuthOptions> = {}): OAuthService {
  const client: WechatOAuthClient = {
    appKind: (appid) => (appid === OA ? 'official_account' : undefined),
    oauthAccessToken: async () => ({
      openid: 'o',
      scope: 'snsapi_base',
      accessToken: 't',
      snapshotUser: false,
    }),
    oauthUserInfo: async () => ({ openid: 'o' }),
  };
  const problems: string[] = [];
  const resolved = {
    sessionKeySecret: 'unit-test-session-key-secret-0123456789',
    oauth: resolveOAuthOptions({ redirectAllowlist: ['https://shop.example.com'], ...oauth }, problems),
  } as ResolvedAuthOptions;
  expect(problems).toEqual([]);
  return new OAuthService(client, resolved, {} as AuthService, new MemoryLoginCodeLedger());
}

describe('OAuthService.start', () => {
  test('publicBaseUrl (with a prefix) builds redirect_uri; https makes the cookie Secure, scoped to the callback', () => {
    const { location, setCookie } = service({
      publicBaseUrl: 'https://api.example.com/v1/',
      authorizeBaseUrl: 'https://open.weixin.qq.com',
    }).start(OA, { redirect: 'https://shop.example.com/done' }, 'http://ignored:1');
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}${url.hash}`).toBe(
      'https://open.weixin.qq.com/connect/oauth2/authorize#wechat_redirect',
    );
    expect([...url.searchParams.keys()]).toEqual([
      'appid',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
    ]);
    expect(url.searchParams.get('redirect_uri')).toBe(`https://api.example.com/v1/auth/oauth/${OA}/callback`);
    expect(url.searchParams.get('scope')).toBe('snsapi_base');
    expect(setCookie).toMatch(
      new RegExp(
        `^wxauth_oauth=v1\\.[^;]+; Path=/v1/auth/oauth/${OA}/callback; Max-Age=600; HttpOnly; SameSite=Lax; Secure$`,
      ),
    );
  });

  test('without publicBaseUrl: the request origin, and no Secure over http', () => {
    const { location, setCookie } = service().start(
      OA,
      { redirect: 'https://shop.example.com/', scope: 'snsapi_userinfo' },
      'http://127.0.0.1:3000',
    );
    expect(new URL(location).searchParams.get('redirect_uri')).toBe(
      `http://127.0.0.1:3000/auth/oauth/${OA}/callback`,
    );
    expect(setCookie).not.toContain('Secure');
  });
});
