import { registerAs } from '@nestjs/config';
import { validateEnv } from './env.validation.js';

/** Named per-user hourly budgets that `@ThrottlePerUser()` routes spend. */
export type UserBudgetName = 'wechatCalls' | 'avatarUploads';

export interface RateLimitConfig {
  enabled: boolean;
  /** POST /auth/login per client IP. Lenient: a carrier NAT puts many users behind one address. */
  loginPerMinute: number;
  /** Requests per session on authenticated routes. */
  sessionPerMinute: number;
  /** Failed token lookups (401 with a token) per client IP before it gets 429. */
  failedTokensPerMinute: number;
  /**
   * Per user and hour, by `@ThrottlePerUser()` budget name. `wechatCalls`: routes that call WeChat for
   * the user (session-key check, phone bind), each spending the app's WeChat quota even with a bogus
   * code. `avatarUploads`: each upload costs a decode and re-encode and a file on disk.
   */
  perUserPerHour: Record<UserBudgetName, number>;
}

export const rateLimitConfig = registerAs('rateLimit', (): RateLimitConfig => {
  const env = validateEnv(process.env);
  return {
    enabled: env.RATE_LIMIT_ENABLED ?? true,
    loginPerMinute: env.RATE_LIMIT_LOGIN_PER_MINUTE ?? 300,
    sessionPerMinute: env.RATE_LIMIT_SESSION_PER_MINUTE ?? 600,
    failedTokensPerMinute: env.RATE_LIMIT_FAILED_TOKENS_PER_MINUTE ?? 120,
    perUserPerHour: {
      wechatCalls: env.RATE_LIMIT_WECHAT_CALLS_PER_USER_PER_HOUR ?? 20,
      avatarUploads: env.RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR ?? 10,
    },
  };
});
