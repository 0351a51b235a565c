import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { withDeadline } from '../redis/deadline.js';
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
  abstract hit(key: string, windowMs: number): Promise<RateLimitHit>;
}

// One round trip, atomic: count the hit and start the window on the first one.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}
`;

/**
 * If Redis cannot answer quickly, limits fail open: guarded routes already answer 503 on their own,
 * and refusing every login because a counter is unreachable would turn a Redis hiccup into an
 * outage. The short wait keeps a hung Redis from eating the login's 2-second budget for a 503.
 */
const HIT_TIMEOUT_MS = 250;

export class RedisRateLimitStore extends RateLimitStore {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    super();
  }

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    try {
      // The braces are a Cluster hash tag; the key is one key, so any node may own it.
      const reply = this.redis.eval(HIT, 1, `${this.prefix}ratelimit:{${key}}`, windowMs) as Promise<
        [number, number]
      >;
      const [count, ttl] = await withDeadline(reply, HIT_TIMEOUT_MS);
      return { count, resetInMs: Math.max(ttl, 0) };
    } catch (error) {
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`rate limit not enforced, Redis unavailable: ${errorMessage(error)}`);
      }
      return { count: 0, resetInMs: windowMs };
    }
  }
}

export class MemoryRateLimitStore extends RateLimitStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 10_000) this.sweep(now);
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return { count: window.count, resetInMs: window.resetAt - now };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}
