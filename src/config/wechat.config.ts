import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

export interface WechatAppCredentials {
  appid: string;
  secret: string;
}

export interface WechatConfig {
  apps: WechatAppCredentials[];
  baseUrl: string;
  timeoutMs: number;
  /** True when no WECHAT_APPID is set: development talks to the built-in simulator instead of WeChat. */
  useSimulator: boolean;
  simulatorPort: number;
  /**
   * WECHAT_CLOUD_HOSTING: the service runs behind WeChat Cloud Hosting only, so the X-WX-* identity
   * headers it injects can be trusted (`POST /auth/login/cloud-hosting`). Default false.
   */
  cloudHosting: boolean;
}

export const WECHAT_API_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

/**
 * The mini program development mode serves: main.ts registers it with the built-in simulator it
 * starts. The simulator's own default app (DEFAULT_SIMULATOR_APP), so that tools minting codes for
 * it (`npm run demo`, the README's curl) work against `npm start`; not a real app, the secret is fake.
 */
export const DEVELOPMENT_WECHAT_APP: Readonly<WechatAppCredentials> = Object.freeze({
  appid: 'wx0123456789abcdef',
  secret: '5e3f0c1a9b7d2e4f6a8c0b1d3e5f7a9c',
});

export const wechatConfig = registerAs('wechat', (): WechatConfig => {
  const env = validateEnv(process.env);
  const appids = env.WECHAT_APPID?.split(',') ?? [];
  const secrets = env.WECHAT_SECRET?.split(',') ?? [];
  const simulatorPort = env.WECHAT_SIMULATOR_PORT ?? 3001;
  const timeoutMs = env.WECHAT_TIMEOUT_MS ?? 5000;
  const cloudHosting = env.WECHAT_CLOUD_HOSTING ?? false;
  if (appids.length === 0) {
    // Development without credentials: main.ts starts the built-in simulator first and sets
    // WECHAT_SIMULATOR_PORT to the port it got (3001, or a free one when 3001 was taken).
    // Production never gets here (env.validation.ts refuses a missing WECHAT_APPID).
    const { appid, secret } = DEVELOPMENT_WECHAT_APP;
    const baseUrl = env.WECHAT_API_BASE_URL ?? `http://127.0.0.1:${simulatorPort}`;
    return { apps: [{ appid, secret }], baseUrl, timeoutMs, useSimulator: true, simulatorPort, cloudHosting };
  }
  return {
    apps: appids.map((appid, index) => ({ appid, secret: secrets[index] })),
    baseUrl: env.WECHAT_API_BASE_URL ?? WECHAT_API_DEFAULT_BASE_URL,
    timeoutMs,
    useSimulator: false,
    simulatorPort,
    cloudHosting,
  };
});
