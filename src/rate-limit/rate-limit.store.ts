import { Logger } from '@nestjs/common';
import { withDeadline } from '../redis/deadline.js';
import type { RedisBatcher } from '../redis/redis-batcher.js';
import { RedisScript } from '../redis/redis-script.js';
import { errorMessage } from '../common/error-message.js';
import { BudgetSlices, sliceSize, type Reservation } from './budget-slices.js';

/** The state of one fixed-window counter after a hit. */
export interface RateLimitHit {
  count: number;
  /** Milliseconds until the window (and any block) ends. */
  resetInMs: number;
}

/**
 * Fixed-window counters. In Redis so a limit holds across every instance; in memory for development.
 */
export abstract class RateLimitStore {
  /**
   * Counts a hit and calls `done` with the counter's state, never with an error (a store that cannot
   * count fails open). The callback form is for the guarded path: no promise per request. `limit`, the
   * limit the caller checks the count against, lets a store count in slices (RedisRateLimitStore);
   * without it every hit is counted as it comes.
   */
  abstract count(key: string, windowMs: number, done: (hit: RateLimitHit) => void, limit?: number): void;

  hit(key: string, windowMs: number): Promise<RateLimitHit> {
    return new Promise((resolve) => this.count(key, windowMs, resolve));
  }
}

// Atomic per key: add the hit (or a slice of hits, BudgetSlices) and start the window on the first one.
// Any number of keys (the hits of one event-loop turn), with window and amount in ARGV; answers the count
// and the TTL of each, flat. A counter found without a TTL gets one rather than living forever.
const HIT = new RedisScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[2 * i])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(ARGV[2 * i - 1])
    redis.call('PEXPIRE', key, ttl)
  end
  out[2 * i - 1] = n
  out[2 * i] = ttl
end
return out
`);
/** Keys per script call: bounds the time Redis spends in one script. */
const MAX_KEYS_PER_CALL = 128;

/**
 * If Redis cannot answer quickly, limits fail open: guarded routes already answer 503 on their own,
 * and refusing every login because a counter is unreachable would turn a Redis hiccup into an
 * outage. The short wait keeps a hung Redis from eating the login's 2-second budget for a 503.
 */
const HIT_TIMEOUT_MS = 250;
const WARNING_INTERVAL_MS = 10_000;

interface QueuedHit {
  key: string;
  windowMs: number;
  amount: number;
  done: (reply: Reservation | null) => void;
}

/**
 * Counters in Redis, sent through the auth module's batcher: the hits of one event-loop turn leave as
 * one script call in that turn's batch, the one that carries the session reads (a per-session hit is
 * started together with its read by SessionCounterHook). So the limits add no round trip, and one
 * command per batch rather than one per request (ioredis' cost is per command). Limits of 40 or more
 * are counted in slices (BudgetSlices), so most hits make no command at all. On Redis Cluster, where
 * keys of one call must share a slot, each hit is a call of its own.
 */
export class RedisRateLimitStore extends RateLimitStore {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;
  private queued: QueuedHit[] = [];
  private readonly slices = new BudgetSlices((key, windowMs, amount, done) =>
    this.add(key, windowMs, amount, done),
  );

  constructor(
    private readonly batch: RedisBatcher,
    private readonly prefix: string,
  ) {
    super();
  }

  count(key: string, windowMs: number, done: (hit: RateLimitHit) => void, limit = 0): void {
    if (sliceSize(limit) > 1 && this.slices.take(key, windowMs, limit, done)) return;
    this.add(key, windowMs, 1, (reply) =>
      done(reply ? { count: reply.total, resetInMs: reply.ttlMs } : { count: 0, resetInMs: windowMs }),
    );
  }

  /** Adds `amount` to the counter in this turn's script call. */
  private add(
    key: string,
    windowMs: number,
    amount: number,
    done: (reply: Reservation | null) => void,
  ): void {
    // The braces are a Cluster hash tag; the key is one key, so any node may own it.
    this.queued.push({ key: `${this.prefix}ratelimit:{${key}}`, windowMs, amount, done });
    if (this.queued.length === 1) this.batch.beforeFlush(this.send);
  }

  private readonly send = (): void => {
    const queued = this.queued;
    this.queued = [];
    for (let start = 0; start < queued.length; start += MAX_KEYS_PER_CALL)
      this.countAll(queued.slice(start, start + MAX_KEYS_PER_CALL));
  };

  private countAll(hits: QueuedHit[]): void {
    const keys = hits.map(({ key }) => key);
    const args = hits.flatMap(({ windowMs, amount }) => [windowMs, amount]);
    withDeadline(HIT.run(this.batch, keys, args), HIT_TIMEOUT_MS).then(
      (reply) => {
        const counts = reply as number[];
        hits.forEach(({ done }, i) => done({ total: counts[2 * i], ttlMs: Math.max(counts[2 * i + 1], 0) }));
      },
      (error: unknown) => {
        this.warn(error);
        for (const { done } of hits) done(null);
      },
    );
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning <= WARNING_INTERVAL_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`rate limit not enforced, Redis unavailable: ${errorMessage(error)}`);
  }
}

/** Exact counters in memory, for development: one process, so no slices. */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  count(key: string, windowMs: number, done: (hit: RateLimitHit) => void): void {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    done({ count: window.count, resetInMs: window.resetAt - now });
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
