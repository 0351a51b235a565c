import { SetMetadata } from '@nestjs/common';
import type { UserBudgetName } from '../config/rate-limit.config.js';

/** Metadata key set by `@ThrottlePerUser()`. @internal */
export const THROTTLE_PER_USER_KEY = 'weapp-auth:throttlePerUser';

/**
 * Counts the route against the caller's per-user budget, besides the per-session one: for routes that
 * spend something shared per call (the app's WeChat quota). Named like `@nestjs/throttler`'s
 * `@Throttle()`, but keyed on the user and with the limit read from configuration, so the decorator
 * names the budget instead of carrying numbers. Use on authenticated routes only. Past the budget:
 * 429 `RATE_LIMITED` with Retry-After.
 */
export const ThrottlePerUser = (budget: UserBudgetName) => SetMetadata(THROTTLE_PER_USER_KEY, budget);
