import { Logger } from '@nestjs/common';
import { validateEnv } from './config/env.validation.js';
import { DEVELOPMENT_WECHAT_APP } from './config/wechat.config.js';

/** The running development simulator: only what main.ts needs, so its type does not load the simulator. */
export interface DevelopmentSimulator {
  url: string;
  close(): Promise<void>;
}

/**
 * In development without WECHAT_APPID, starts the built-in WeChat simulator (with its control API,
 * so `npm run demo` can mint login codes) before the app, which the wechat config points at it.
 * Returns null when real WeChat credentials are configured, and then never loads the simulator: it
 * is imported here, dynamically, and by nothing else that production runs.
 */
export async function startDevelopmentSimulator(): Promise<DevelopmentSimulator | null> {
  const env = validateEnv(process.env);
  if (env.WECHAT_APPID || env.NODE_ENV === 'production') return null;
  const { WechatSimulator } = await import('./wechat-simulator/wechat-simulator.js');
  const simulator = await WechatSimulator.start({
    port: env.WECHAT_SIMULATOR_PORT ?? 3001,
    quiet: true,
    apps: [{ ...DEVELOPMENT_WECHAT_APP }],
  });
  // With port 0 the simulator picked a free port: the wechat config must see the real one.
  process.env.WECHAT_SIMULATOR_PORT = String(simulator.port);
  new Logger('WechatSimulator').warn(`built-in WeChat simulator on ${simulator.url} — this is NOT WeChat`);
  return simulator;
}
