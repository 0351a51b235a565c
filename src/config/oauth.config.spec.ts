import { afterEach, describe, expect, test } from '@jest/globals';
import { problemsOf, VALID_PRODUCTION_ENV } from '../../test/support/env-problems.js';
import { DEVELOPMENT_OAUTH_APPS, oauthConfig } from './oauth.config.js';

const OA = {
  WECHAT_OFFICIAL_ACCOUNT_APPID: 'wx00000000000000e1',
  WECHAT_OFFICIAL_ACCOUNT_SECRET: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
};
const WEB = {
  WECHAT_WEBSITE_APPID: 'wx00000000000000e2',
  WECHAT_WEBSITE_SECRET: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
};
const ALLOW = { OAUTH_REDIRECT_ALLOWLIST: 'https://shop.example.com,https://m.shop.example.com' };

describe('web login settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const configWith = (env: Record<string, string>) => {
    process.env = { ...env };
    return oauthConfig();
  };

  test('off without its apps; on with either, with the allow-list and PUBLIC_BASE_URL', () => {
    expect(configWith({ ...VALID_PRODUCTION_ENV }).enabled).toBe(false);
    expect(configWith({ ...VALID_PRODUCTION_ENV, ...OA, ...WEB, ...ALLOW })).toEqual({
      enabled: true,
      apps: [
        {
          appid: OA.WECHAT_OFFICIAL_ACCOUNT_APPID,
          secret: OA.WECHAT_OFFICIAL_ACCOUNT_SECRET,
          kind: 'official_account',
        },
        { appid: WEB.WECHAT_WEBSITE_APPID, secret: WEB.WECHAT_WEBSITE_SECRET, kind: 'website' },
      ],
      redirectAllowlist: ['https://shop.example.com', 'https://m.shop.example.com'],
      authorizeBaseUrl: 'https://open.weixin.qq.com',
      publicBaseUrl: 'https://api.example.com',
    });
  });

  test('development without WeChat credentials: the simulator apps, its pages, this machine allowed', () => {
    const config = configWith({ PORT: '3100', WECHAT_SIMULATOR_PORT: '3101' });
    expect(config.apps).toEqual(DEVELOPMENT_OAUTH_APPS);
    expect(config.redirectAllowlist).toEqual(['http://127.0.0.1:3100', 'http://localhost:3100']);
    expect(config.authorizeBaseUrl).toBe('http://127.0.0.1:3101');
  });

  test('refused: half an app, no allow-list, an origin with a path, one appid twice', () => {
    const base = { NODE_ENV: 'development' };
    expect(problemsOf({ ...base, WECHAT_WEBSITE_APPID: WEB.WECHAT_WEBSITE_APPID, ...ALLOW })).toEqual([
      'WECHAT_WEBSITE_APPID and WECHAT_WEBSITE_SECRET must be set together',
    ]);
    expect(problemsOf({ ...base, ...OA })).toEqual([
      expect.stringMatching(/^OAUTH_REDIRECT_ALLOWLIST is required/),
    ]);
    expect(
      problemsOf({ ...base, ...OA, OAUTH_REDIRECT_ALLOWLIST: 'https://shop.example.com/login' }),
    ).toEqual([expect.stringMatching(/^OAUTH_REDIRECT_ALLOWLIST must list origins/)]);
    expect(
      problemsOf({
        ...base,
        ...OA,
        ...ALLOW,
        WECHAT_WEBSITE_APPID: OA.WECHAT_OFFICIAL_ACCOUNT_APPID,
        WECHAT_WEBSITE_SECRET: 'x'.repeat(32),
      }),
    ).toEqual([expect.stringMatching(/^an appid is configured twice/)]);
  });

  test('production: https origins (loopback aside), PUBLIC_BASE_URL, real secrets', () => {
    expect(problemsOf({ ...VALID_PRODUCTION_ENV, ...OA, ...ALLOW })).toEqual([]);
    expect(
      problemsOf({ ...VALID_PRODUCTION_ENV, ...OA, OAUTH_REDIRECT_ALLOWLIST: 'http://127.0.0.1:8080' }),
    ).toEqual([]);
    expect(
      problemsOf({ ...VALID_PRODUCTION_ENV, ...OA, OAUTH_REDIRECT_ALLOWLIST: 'http://shop.example.com' }),
    ).toEqual([expect.stringMatching(/^OAUTH_REDIRECT_ALLOWLIST must list https origins in production/)]);
    const { PUBLIC_BASE_URL: _unset, ...noPublicBase } = VALID_PRODUCTION_ENV;
    expect(problemsOf({ ...noPublicBase, AVATAR_UPLOADS_ENABLED: 'false', ...OA, ...ALLOW })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL is required in production for the web login/),
    ]);
    expect(
      problemsOf({ ...VALID_PRODUCTION_ENV, ...OA, ...ALLOW, WECHAT_OFFICIAL_ACCOUNT_SECRET: 'changeme' }),
    ).toEqual(['WECHAT_OFFICIAL_ACCOUNT_SECRET holds a placeholder value']);
  });
});
