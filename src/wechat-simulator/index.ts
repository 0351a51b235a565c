// Public surface of the simulator for tests, the demo and development mode.
export { WechatSimulator } from './wechat-simulator.js';
export {
  DEFAULT_SIMULATOR_APP,
  type WechatSimulatorOptions,
  type SimulatorApp,
  type SimulatorAppKind,
  type SessionKeyRotation,
  type LoginRateLimit,
  type WechatApiName,
} from './wechat-simulator.options.js';
export { SimulatorControlClient, SimulatorControlError } from './simulator-control.client.js';
export type * from './simulator-control.types.js';
export type { ClientEncryptedData } from './simulator-crypto.js';
export { SimulatorInputError } from './simulator-input.js';
export { WECHAT_ERRMSG } from './simulator-errors.js';
