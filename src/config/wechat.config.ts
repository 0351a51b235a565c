import { registerAs } from '@nestjs/config';
import { DEFAULT_SIMULATOR_APP } from '../wechat-simulator/wechat-simulator.options.js';
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
}

export const WECHAT_API_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

export const wechatConfig = registerAs('wechat', (): WechatConfig => {
  const env = validateEnv(process.env);
  const appids = env.WECHAT_APPID?.split(',') ?? [];
  const secrets = env.WECHAT_SECRET?.split(',') ?? [];
  const simulatorPort = env.WECHAT_SIMULATOR_PORT ?? 3001;
  const timeoutMs = env.WECHAT_TIMEOUT_MS ?? 5000;
  if (appids.length === 0) {
    // Development without credentials: main.ts starts the built-in simulator on this port first.
    // Production never gets here (env.validation.ts refuses a missing WECHAT_APPID).
    const { appid, secret } = DEFAULT_SIMULATOR_APP;
    const baseUrl = env.WECHAT_API_BASE_URL ?? `http://127.0.0.1:${simulatorPort}`;
    return { apps: [{ appid, secret }], baseUrl, timeoutMs, useSimulator: true, simulatorPort };
  }
  return {
    apps: appids.map((appid, index) => ({ appid, secret: secrets[index] })),
    baseUrl: env.WECHAT_API_BASE_URL ?? WECHAT_API_DEFAULT_BASE_URL,
    timeoutMs,
    useSimulator: false,
    simulatorPort,
  };
});
