import { Logger } from '@nestjs/common';
import { withDeadline } from '../redis/deadline.js';
import type { RedisBatcher } from '../redis/redis-batcher.js';
import { RedisScript } from '../redis/redis-script.js';
import { errorMessage } from '../common/error-message.js';

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
   * count fails open). The callback form is for the guarded path: no promise per request.
   */
  abstract count(key: string, windowMs: number, done: (hit: RateLimitHit) => void): void;

  hit(key: string, windowMs: number): Promise<RateLimitHit> {
    return new Promise((resolve) => this.count(key, windowMs, resolve));
  }
}

// Atomic per key: count the hit and start the window on the first one. Any number of keys (the hits
// of one event-loop turn), each with its window in ARGV; answers count and TTL for each, flat.
const HIT = new RedisScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  out[2 * i - 1] = n
  out[2 * i] = redis.call('PTTL', key)
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
  done: (hit: RateLimitHit) => void;
}

/**
 * Counters in Redis, sent through the auth module's batcher: the hits of one event-loop turn leave as
 * one script call in that turn's batch, the one that carries the session reads (a per-session hit is
 * started together with its read by SessionCounterHook). So the limits add no round trip, and one
 * command per batch rather than one per request (ioredis' cost is per command). On Redis Cluster,
 * where keys of one call must share a slot, each hit is a call of its own.
 */
export class RedisRateLimitStore extends RateLimitStore {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;
  private queued: QueuedHit[] = [];

  constructor(
    private readonly batch: RedisBatcher,
    private readonly prefix: string,
  ) {
    super();
  }

  count(key: string, windowMs: number, done: (hit: RateLimitHit) => void): void {
    // The braces are a Cluster hash tag; the key is one key, so any node may own it.
    this.queued.push({ key: `${this.prefix}ratelimit:{${key}}`, windowMs, done });
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
    const windows = hits.map(({ windowMs }) => windowMs);
    withDeadline(HIT.run(this.batch, keys, windows), HIT_TIMEOUT_MS).then(
      (reply) => {
        const counts = reply as number[];
        hits.forEach(({ done }, i) =>
          done({ count: counts[2 * i], resetInMs: Math.max(counts[2 * i + 1], 0) }),
        );
      },
      (error: unknown) => {
        this.warn(error);
        for (const { windowMs, done } of hits) done({ count: 0, resetInMs: windowMs });
      },
    );
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarning <= WARNING_INTERVAL_MS) return;
    this.lastWarning = Date.now();
    this.logger.warn(`rate limit not enforced, Redis unavailable: ${errorMessage(error)}`);
  }
}

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
