import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

/** An Official Account or website app of the web login. */
export interface OAuthAppCredentials {
  appid: string;
  secret: string;
  kind: 'official_account' | 'website';
}

export interface OAuthConfig {
  /** True when an Official Account or website app is configured (or development runs the simulator). */
  enabled: boolean;
  apps: OAuthAppCredentials[];
  /** Origins the web login may send the browser back to (OAUTH_REDIRECT_ALLOWLIST). */
  redirectAllowlist: string[];
  /** WeChat's authorize pages (OAUTH_AUTHORIZE_BASE_URL); the simulator in development. */
  authorizeBaseUrl: string;
  /** PUBLIC_BASE_URL: WeChat's redirect_uri is built from it (from the request's Host when unset). */
  publicBaseUrl?: string;
}

export const OAUTH_AUTHORIZE_DEFAULT_BASE_URL = 'https://open.weixin.qq.com';

/**
 * The web-login apps development mode registers with its simulator (development-simulator.ts) next to
 * DEVELOPMENT_WECHAT_APP, so `/auth/oauth/{appid}/authorize` works out of the box. Not real apps.
 */
export const DEVELOPMENT_OAUTH_APPS: readonly Readonly<OAuthAppCredentials>[] = Object.freeze([
  Object.freeze({
    appid: 'wx0123456789abcde1',
    secret: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    kind: 'official_account' as const,
  }),
  Object.freeze({
    appid: 'wx0123456789abcde2',
    secret: '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    kind: 'website' as const,
  }),
]);

export const oauthConfig = registerAs('oauth', (): OAuthConfig => {
  const env = validateEnv(process.env);
  const apps: OAuthAppCredentials[] = [];
  if (env.WECHAT_OFFICIAL_ACCOUNT_APPID && env.WECHAT_OFFICIAL_ACCOUNT_SECRET) {
    const { WECHAT_OFFICIAL_ACCOUNT_APPID: appid, WECHAT_OFFICIAL_ACCOUNT_SECRET: secret } = env;
    apps.push({ appid, secret, kind: 'official_account' });
  }
  if (env.WECHAT_WEBSITE_APPID && env.WECHAT_WEBSITE_SECRET) {
    apps.push({ appid: env.WECHAT_WEBSITE_APPID, secret: env.WECHAT_WEBSITE_SECRET, kind: 'website' });
  }
  // Same condition as the wechat config's simulator fallback: no WeChat credentials in development.
  const simulator = !env.WECHAT_APPID && env.NODE_ENV !== 'production';
  const simulatorUrl = env.WECHAT_API_BASE_URL ?? `http://127.0.0.1:${env.WECHAT_SIMULATOR_PORT ?? 3001}`;
  if (apps.length === 0 && simulator) apps.push(...DEVELOPMENT_OAUTH_APPS.map((app) => ({ ...app })));
  const port = env.PORT ?? 3000;
  const redirectAllowlist =
    env.OAUTH_REDIRECT_ALLOWLIST?.split(',').map((origin) => origin.trim().replace(/\/$/, '')) ??
    (simulator ? [`http://127.0.0.1:${port}`, `http://localhost:${port}`] : []);
  return {
    enabled: apps.length > 0,
    apps,
    redirectAllowlist,
    authorizeBaseUrl:
      env.OAUTH_AUTHORIZE_BASE_URL ?? (simulator ? simulatorUrl : OAUTH_AUTHORIZE_DEFAULT_BASE_URL),
    publicBaseUrl: env.PUBLIC_BASE_URL,
  };
});
