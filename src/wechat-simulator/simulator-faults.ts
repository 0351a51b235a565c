import type { FaultSpec } from './simulator-control.types.js';
import type { SimulatorRandom } from './simulator-random.js';
import type { WechatApiName } from './wechat-simulator.options.js';

/** Who a WeChat call is about, as far as the request tells (used by fault filters). @internal */
export interface FaultTarget {
  appid?: string;
  openid?: string;
}

/** @internal */
export interface ActiveFault extends FaultSpec {
  id: string;
}

/**
 * Rule-based fault injection: each rule hits the next `times` calls that match its endpoint and
 * optional appid/openid filter. Rules are tried in the order they were added; one call is hit by at
 * most one rule.
 *
 * @internal
 */
export class SimulatorFaults {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: SimulatorRandom) {}

  add(spec: FaultSpec): string {
    const id = `fault-${this.nextId++}`;
    this.faults.push({ ...spec, times: spec.times ?? 1, id });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  /** Finds the first rule matching this call and uses up one of its `times`. */
  take(api: WechatApiName, target: FaultTarget): ActiveFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        (fault.api === '*' || fault.api === api) &&
        (fault.appid === undefined || fault.appid === target.appid) &&
        (fault.openid === undefined || fault.openid === target.openid) &&
        (fault.probability === undefined || this.random.fraction() < fault.probability),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (typeof fault.times === 'number') {
      fault.times--;
      if (fault.times <= 0) this.faults.splice(index, 1);
    }
    return fault;
  }
}
