import type { RateLimitHit } from './rate-limit.store.js';

/**
 * A counter hit on its way, with the limit it is checked against. The store reports into it by
 * callback, so a guard that runs after the answer came in (the usual case: the per-session hit rides
 * the session read's batch) decides synchronously, and Nest awaits nothing for it.
 */
export class PendingHit {
  result: RateLimitHit | undefined;
  private waiting: ((hit: RateLimitHit) => void) | undefined;

  constructor(readonly limit: number) {}

  /** The store's callback. */
  readonly settle = (hit: RateLimitHit): void => {
    this.result = hit;
    this.waiting?.(hit);
  };

  /** Resolves with the hit (at once if it is in). */
  wait(): Promise<RateLimitHit> {
    const { result } = this;
    if (result) return Promise.resolve(result);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
