import { validateEnv } from './config/env.validation.js';
import { DEVELOPMENT_OAUTH_APPS } from './config/oauth.config.js';
import { DEVELOPMENT_WECHAT_APP } from './config/wechat.config.js';
import { isAddressInUse, PortInUseError } from './lifecycle/port-in-use.error.js';

/** The running development simulator: only what main.ts needs, so its type does not load the simulator. */
export interface DevelopmentSimulator {
  url: string;
  close(): Promise<void>;
}

/** Where the development simulator listens unless WECHAT_SIMULATOR_PORT says otherwise. */
export const DEFAULT_SIMULATOR_PORT = 3001;

/**
 * In development without WECHAT_APPID, starts the built-in WeChat simulator (with its control API,
 * so `npm run demo` and the banner's login command can mint login codes) before the app, which the
 * wechat config points at it. Returns null when real WeChat credentials are configured, and then never
 * loads the simulator: it is imported here, dynamically, and by nothing else that production runs.
 *
 * Port: WECHAT_SIMULATOR_PORT when set (a clash is then an error naming it); otherwise 3001, so the
 * README's login command works for the first instance, or any free port when 3001 is taken, so a second
 * instance needs only its own PORT. The banner prints the URL it got.
 */
export async function startDevelopmentSimulator(): Promise<DevelopmentSimulator | null> {
  const env = validateEnv(process.env);
  if (env.WECHAT_APPID || env.NODE_ENV === 'production') return null;
  const { WechatSimulator } = await import('./wechat-simulator/wechat-simulator.js');
  // The web login's apps too (oauth.config.ts), sending the browser back to this machine only.
  const webApps = DEVELOPMENT_OAUTH_APPS.map((app) => ({
    ...app,
    openPlatformId: 'development-open-platform',
    redirectDomains: ['127.0.0.1', 'localhost'],
  }));
  const start = (port: number) =>
    WechatSimulator.start({ port, quiet: true, apps: [{ ...DEVELOPMENT_WECHAT_APP }, ...webApps] });
  const configured = env.WECHAT_SIMULATOR_PORT;
  let simulator;
  try {
    simulator = await start(configured ?? DEFAULT_SIMULATOR_PORT);
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    if (configured !== undefined)
      throw new PortInUseError(configured, 'WECHAT_SIMULATOR_PORT', { cause: error });
    simulator = await start(0);
  }
  // The wechat config must see the port the simulator really got.
  process.env.WECHAT_SIMULATOR_PORT = String(simulator.port);
  return simulator;
}
