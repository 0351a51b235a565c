// The `weapp-auth/testing` entry: the WeChat API simulator for a consumer's own tests.
// Test tooling only: nothing under src/ outside the simulator imports this file.
import { WechatSimulator } from '../wechat-simulator/index.js';
import type { WechatSimulatorOptions } from '../wechat-simulator/index.js';

export {
  WechatSimulator,
  DEFAULT_SIMULATOR_APP,
  SimulatorControlClient,
  SimulatorControlError,
  SimulatorInputError,
  WECHAT_ERRMSG,
  type WechatSimulatorOptions,
  type SimulatorApp,
  type SessionKeyRotation,
  type LoginRateLimit,
  type WechatApiName,
  type ClientEncryptedData,
} from '../wechat-simulator/index.js';
export type * from '../wechat-simulator/simulator-control.types.js';

/**
 * Starts a WeChat API simulator in this process for a test: any free port on 127.0.0.1, silent,
 * knowing {@link DEFAULT_SIMULATOR_APP} unless `options.apps` says otherwise. Point the WeChat
 * client's `baseUrl` at `simulator.url`, mint login codes with `simulator.mintLoginCode({ appid })`,
 * and `await simulator.close()` when done.
 *
 * @example
 * const simulator = await startWechatSimulator();
 * const { code } = simulator.mintLoginCode({ appid: DEFAULT_SIMULATOR_APP.appid });
 *
 * @publicApi
 */
export function startWechatSimulator(options: WechatSimulatorOptions = {}): Promise<WechatSimulator> {
  return WechatSimulator.start({ port: 0, quiet: true, ...options });
}
