import { SetMetadata } from '@nestjs/common';
import type { UserBudgetName } from '../config/rate-limit.config.js';

/** Metadata key set by `@Throttle()`. @internal */
export const THROTTLE_KEY = 'weapp-auth:throttle';

/** Metadata key set by `@SkipThrottle()`. @internal */
export const SKIP_THROTTLE_KEY = 'weapp-auth:skipThrottle';

/** Metadata key set by `@ThrottlePerUser()`. @internal */
export const THROTTLE_PER_USER_KEY = 'weapp-auth:throttlePerUser';

/**
 * The throttler routes can tune. `@nestjs/throttler` calls an unnamed throttler `default`; here it is the
 * per-session budget of authenticated routes (RATE_LIMIT_SESSION_PER_MINUTE).
 */
export type ThrottlerName = 'default';

/** As in `@nestjs/throttler` 5+: `ttl` in milliseconds. @publicApi */
export interface ThrottleLimit {
  limit: number;
  ttl: number;
}

/**
 * Gives a route (or every route of a controller) its own limit instead of the shared default budget, as
 * `@nestjs/throttler`'s `@Throttle()` does: `@Throttle({ default: { limit: 5, ttl: 60_000 } })`. The
 * route gets a counter of its own, per session on authenticated routes and per client IP on `@Public()`
 * ones (which have no default limit otherwise). Past it: 429 `RATE_LIMITED` with Retry-After.
 * @publicApi
 */
export const Throttle = (options: Record<ThrottlerName, ThrottleLimit>) => {
  const { limit, ttl } = options.default;
  // Decorators run at import time: a typo fails the build's first start, not a request.
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(ttl) || ttl < 1)
    throw new Error(`@Throttle(): limit and ttl must be positive integers (got ${limit}, ${ttl})`);
  return SetMetadata(THROTTLE_KEY, { limit, ttl });
};

/**
 * Exempts a route (or a controller; `@SkipThrottle({ default: false })` on a method takes one back) from
 * the default per-session limit, like `@nestjs/throttler`'s `@SkipThrottle()`. Per-user budgets a
 * route names with `@ThrottlePerUser()` still apply.
 * @publicApi
 */
export const SkipThrottle = (skip: Partial<Record<ThrottlerName, boolean>> = { default: true }) =>
  SetMetadata(SKIP_THROTTLE_KEY, skip.default === true);

/**
 * Counts the route against the caller's per-user hourly budget, besides the per-session one: for routes
 * that spend something shared per call (the app's WeChat quota, avatar processing). Keyed on the user,
 * so a new session does not reset it, with the limit read from configuration
 * (RATE_LIMIT_<BUDGET>_PER_USER_PER_HOUR), so the decorator names the budget instead of carrying
 * numbers. Use on authenticated routes only. Past the budget: 429 `RATE_LIMITED` with Retry-After.
 * @publicApi
 */
export const ThrottlePerUser = (budget: UserBudgetName) => SetMetadata(THROTTLE_PER_USER_KEY, budget);
