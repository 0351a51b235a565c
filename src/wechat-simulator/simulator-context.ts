import type { SimulatorClock } from './simulator-clock.js';
import type { SimulatorFaults } from './simulator-faults.js';
import type { SimulatorOAuth } from './simulator-oauth.js';
import type { SimulatorRandom } from './simulator-random.js';
import type { SimulatorRequestLog } from './simulator-request-log.js';
import type { SimulatorState } from './simulator-state.js';
import type { SimulatorTokens } from './simulator-tokens.js';
import type { ResolvedSimulatorOptions } from './wechat-simulator.options.js';

/** Everything a request handler may touch. @internal */
export interface SimulatorContext {
  readonly options: ResolvedSimulatorOptions;
  readonly clock: SimulatorClock;
  readonly random: SimulatorRandom;
  readonly state: SimulatorState;
  readonly tokens: SimulatorTokens;
  /** Web OAuth codes and user tokens (Official Account pages, website QR login). */
  readonly oauth: SimulatorOAuth;
  readonly faults: SimulatorFaults;
  readonly log: SimulatorRequestLog;
  /** A timer the simulator cancels on close, so a pending delay never keeps the process alive. */
  sleep(ms: number): Promise<void>;
}
