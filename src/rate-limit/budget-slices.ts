import type { RateLimitHit } from './rate-limit.store.js';

/** What the shared counter answered to a reservation: its value after adding the slice, and the window's time left. */
export interface Reservation {
  total: number;
  ttlMs: number;
}

/** Adds `amount` to the shared counter `key` (starting its window on the first hit); null when it cannot answer. */
export type Reserve = (
  key: string,
  windowMs: number,
  amount: number,
  done: (reply: Reservation | null) => void,
) => void;

/** A slice is this share of the limit: a limit of 600 a minute is reserved 30 hits at a time. */
const SLICES_PER_LIMIT = 20;
/** The most one reservation takes, so that a large limit leaves little unspent in any one instance. */
const MAX_SLICE = 64;
/** Keys with a slice held at once; beyond it (a flood of unknown tokens, say) hits are counted one by one. */
const MAX_KEYS_HELD = 20_000;
/** At most one sweep of ended windows per interval, so a full table costs nothing per hit. */
const SWEEP_INTERVAL_MS = 1000;

/** Hits per reservation for a limit; 1 or less means the limit is too small to slice (count each hit). */
export function sliceSize(limit: number): number {
  return Math.min(MAX_SLICE, Math.floor(limit / SLICES_PER_LIMIT));
}

interface Slice {
  /** Hits the slice may still allow. */
  left: number;
  /** The window's hits as this instance knows them: all reserved before this slice, plus its own used. */
  counted: number;
  /** The counter after the last reservation (what a refusal reports). */
  total: number;
  endsAt: number;
  /** The last reservation got less than a full slice: the budget is spent until the window ends. */
  spent: boolean;
  /** Hits waiting for the reservation in flight; null when none is. */
  waiting: ((hit: RateLimitHit) => void)[] | null;
}

/**
 * Counts hits against large limits in slices: one reservation in the shared counter covers the next
 * `sliceSize(limit)` hits of this instance, which are then counted in memory, so a guarded request makes
 * no Redis command of its own for its per-session limit (one in 30 at the default 600 a minute).
 * Measured on GET /users/me against the build before (bench/, BENCH_COMPARE_BUILD): Redis's CPU per
 * request went from ~10 to ~5 µs; Redis shares the load generator's core there, as it shares a host
 * in many deployments.
 *
 * Never more than the limit: a hit is allowed only out of a slice whose reservation kept the shared
 * counter within the limit, and the last slice of a window gets only what is left. The price is the
 * other way: with several instances, each may hold a partly used slice when the budget runs out, so a
 * caller can be refused up to one slice per instance early (at most 5 % of the limit each). Limits
 * under 40 are not sliced. Once a window's budget is spent, further hits are refused from memory until
 * the window ends, without asking Redis. A reservation that fails lets its hits through (fail open, as
 * one-by-one counting does) and keeps no slice.
 */
export class BudgetSlices {
  private readonly slices = new Map<string, Slice>();
  private lastSweep = 0;
  private readonly maxKeys: number;
  private readonly sweepIntervalMs: number;

  constructor(
    private readonly reserve: Reserve,
    { maxKeys = MAX_KEYS_HELD, sweepIntervalMs = SWEEP_INTERVAL_MS } = {},
  ) {
    this.maxKeys = maxKeys;
    this.sweepIntervalMs = sweepIntervalMs;
  }

  /** Keys with a slice held (for tests and the bound). */
  get size(): number {
    return this.slices.size;
  }

  /**
   * Counts one hit of `key` against `limit` and reports it to `done` (at once when the slice has room).
   * False when no slice can be held for a new key: the caller counts that hit one by one.
   */
  take(key: string, windowMs: number, limit: number, done: (hit: RateLimitHit) => void): boolean {
    const now = Date.now();
    let slice = this.slices.get(key);
    if (slice && slice.waiting === null && slice.endsAt <= now) {
      this.slices.delete(key);
      slice = undefined;
    }
    if (!slice) {
      if (!this.hasRoom(now)) return false;
      slice = { left: 0, counted: 0, total: 0, endsAt: 0, spent: false, waiting: null };
      this.slices.set(key, slice);
    }
    if (slice.waiting) {
      slice.waiting.push(done);
    } else if (slice.left > 0) {
      slice.left--;
      done({ count: ++slice.counted, resetInMs: slice.endsAt - now });
    } else if (slice.spent) {
      done({ count: slice.total, resetInMs: slice.endsAt - now });
    } else {
      slice.waiting = [done];
      this.refill(key, slice, windowMs, limit);
    }
    return true;
  }

  private refill(key: string, slice: Slice, windowMs: number, limit: number): void {
    const size = sliceSize(limit);
    this.reserve(key, windowMs, size, (reply) => {
      const waiting = slice.waiting ?? [];
      slice.waiting = null;
      if (!reply) {
        if (this.slices.get(key) === slice) this.slices.delete(key);
        for (const done of waiting) done({ count: 0, resetInMs: windowMs });
        return;
      }
      const before = reply.total - size;
      const granted = Math.max(0, Math.min(size, limit - before));
      Object.assign(slice, {
        left: granted,
        counted: before,
        total: reply.total,
        endsAt: Date.now() + reply.ttlMs,
        spent: granted < size,
      });
      let served = 0;
      for (; served < waiting.length && slice.left > 0; served++) {
        slice.left--;
        waiting[served]({ count: ++slice.counted, resetInMs: reply.ttlMs });
      }
      if (served === waiting.length) return;
      if (slice.spent) {
        for (; served < waiting.length; served++)
          waiting[served]({ count: reply.total, resetInMs: reply.ttlMs });
        return;
      }
      // More hits came in while the reservation was out than one slice covers: reserve the next.
      slice.waiting = waiting.slice(served);
      this.refill(key, slice, windowMs, limit);
    });
  }

  private hasRoom(now: number): boolean {
    if (this.slices.size < this.maxKeys) return true;
    if (now - this.lastSweep >= this.sweepIntervalMs) {
      this.lastSweep = now;
      for (const [key, slice] of this.slices)
        if (slice.waiting === null && slice.endsAt <= now) this.slices.delete(key);
    }
    return this.slices.size < this.maxKeys;
  }
}
