import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { applyErrorHeaders } from '../common/api.exception.js';
import { apiError } from '../common/error-catalogue.js';
import { sessionOf } from '../auth/index.js';
import { rateLimitConfig, type RateLimitConfig, type UserBudgetName } from '../config/rate-limit.config.js';
import { RateLimitStore } from './rate-limit.store.js';
import { THROTTLE_PER_USER_KEY } from './throttle.decorator.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const LOGIN_ROUTE = '/auth/login';

interface LimitedRequest {
  ip: string;
  routeOptions?: { url?: string };
}

interface Budget {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Two budgets per minute: POST /auth/login per client IP (lenient: a carrier NAT puts many users
 * behind one address), and every authenticated route per session. Routes marked
 * `@ThrottlePerUser()` also spend a per-user hourly budget (WeChat calls, avatar uploads). Registered after the
 * auth module's guard, so it sees the session. Past a budget: 429 `RATE_LIMITED` with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly userBudgets = new WeakMap<object, UserBudgetName | null>();

  constructor(
    protected readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) protected readonly limits: RateLimitConfig,
    protected readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<LimitedRequest>();
    for (const budget of [this.budgetFor(request), this.userBudgetFor(context, request)]) {
      if (!budget) continue;
      const { count, resetInMs } = await this.store.hit(budget.key, budget.windowMs);
      if (count <= budget.limit) continue;
      const error = apiError('RATE_LIMITED', 'Too many requests; retry later', {
        'Retry-After': String(Math.max(1, Math.ceil(resetInMs / 1000))),
      });
      applyErrorHeaders(http.getResponse(), error);
      throw error;
    }
    return true;
  }

  /** The per-user budget a `@ThrottlePerUser()` route spends, or null. */
  protected userBudgetFor(context: ExecutionContext, request: LimitedRequest): Budget | null {
    const handler = context.getHandler();
    // Decorators are fixed once the app is built: read them once per route, not per request.
    let name = this.userBudgets.get(handler);
    if (name === undefined) {
      name = this.reflector.get<UserBudgetName | undefined>(THROTTLE_PER_USER_KEY, handler) ?? null;
      this.userBudgets.set(handler, name);
    }
    if (!name) return null;
    const session = sessionOf(request);
    if (!session) return null;
    const { appid, userId } = session.record;
    return {
      key: `user:${name}:${appid}:${userId}`,
      limit: this.limits.perUserPerHour[name],
      windowMs: HOUR_MS,
    };
  }

  protected budgetFor(request: LimitedRequest): Budget | null {
    if (request.routeOptions?.url === LOGIN_ROUTE)
      return { key: `login:${request.ip}`, limit: this.limits.loginPerMinute, windowMs: MINUTE_MS };
    const session = sessionOf(request);
    if (session)
      return {
        key: `session:${session.record.id}`,
        limit: this.limits.sessionPerMinute,
        windowMs: MINUTE_MS,
      };
    return null;
  }
}
