/**
 * The simulator's notion of time: the configured clock plus whatever tests advanced it by.
 * Code expiry, token expiry and session_key TTL all read this, never `Date.now()` directly.
 *
 * @internal
 */
export class SimulatorClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number) {}

  now(): number {
    return this.base() + this.offsetMs;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(seconds: number): number {
    this.offsetMs += seconds * 1000;
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
