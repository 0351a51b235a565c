import { Logger } from '@nestjs/common';
import { WechatSimulator } from '../wechat-simulator/wechat-simulator.js';
import { validateEnv } from './env.validation.js';

/**
 * In development without WECHAT_APPID, starts the built-in WeChat simulator (with its control API,
 * so `npm run demo` can mint login codes) before the app, which the wechat config points at it.
 * Returns null when real WeChat credentials are configured.
 */
export async function startDevelopmentSimulator(): Promise<WechatSimulator | null> {
  const env = validateEnv(process.env);
  if (env.WECHAT_APPID || env.NODE_ENV === 'production') return null;
  const simulator = await WechatSimulator.start({ port: env.WECHAT_SIMULATOR_PORT ?? 3001, quiet: true });
  // With port 0 the simulator picked a free port: the wechat config must see the real one.
  process.env.WECHAT_SIMULATOR_PORT = String(simulator.port);
  new Logger('WechatSimulator').warn(`built-in WeChat simulator on ${simulator.url} — this is NOT WeChat`);
  return simulator;
}
