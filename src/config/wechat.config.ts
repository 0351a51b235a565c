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
}

export const WECHAT_API_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

export const wechatConfig = registerAs('wechat', (): WechatConfig => {
  const env = validateEnv(process.env);
  const appids = env.WECHAT_APPID?.split(',') ?? [];
  const secrets = env.WECHAT_SECRET?.split(',') ?? [];
  return {
    apps: appids.map((appid, index) => ({ appid, secret: secrets[index] })),
    baseUrl: env.WECHAT_API_BASE_URL ?? WECHAT_API_DEFAULT_BASE_URL,
    timeoutMs: env.WECHAT_TIMEOUT_MS ?? 5000,
    useSimulator: appids.length === 0,
    simulatorPort: env.WECHAT_SIMULATOR_PORT ?? 3001,
  };
});
