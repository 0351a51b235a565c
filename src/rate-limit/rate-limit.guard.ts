import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { applyErrorHeaders } from '../common/api.exception.js';
import { apiError } from '../common/error-catalogue.js';
import { sessionOf } from '../auth/index.js';
import { rateLimitConfig, type RateLimitConfig, type UserBudgetName } from '../config/rate-limit.config.js';
import { RateLimitStore, type RateLimitHit } from './rate-limit.store.js';
import { RouteThrottles, type RouteThrottle } from './route-throttles.js';
import { PendingHit } from './pending-hit.js';
import { sessionCounterKey, takePendingHit } from './session-counter.hook.js';
import { httpRequestOf, httpResponseOf } from '../common/http-context.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/**
 * The auth module's login routes (it owns them, so they are recognised by URL): the mini-program login,
 * the Cloud Hosting login and both steps of the web login share one per-address budget.
 */
const LOGIN_ROUTES = new Set([
  '/auth/login',
  '/auth/login/cloud-hosting',
  '/auth/oauth/:appid/authorize',
  '/auth/oauth/:appid/callback',
]);

interface LimitedRequest {
  ip: string;
  routeOptions?: { url?: string };
}

/**
 * The app's limits, each a fixed-window counter shared by every instance (Redis):
 * - the login routes per client IP (RATE_LIMIT_LOGIN_PER_MINUTE, one budget for all of them; lenient, a
 *   carrier NAT puts many users behind one address);
 * - every authenticated route per session (RATE_LIMIT_SESSION_PER_MINUTE, the `default` throttler),
 *   unless the route says otherwise with `@Throttle()` or `@SkipThrottle()`; `@Public()` routes only
 *   when they carry `@Throttle()`, then per client IP;
 * - per user and hour on routes marked `@ThrottlePerUser()` (RATE_LIMIT_*_PER_USER_PER_HOUR).
 * Registered after the auth module's guard, so it sees the session; the per-session hit was already
 * sent with the session read (SessionCounterHook). Past a limit: 429 `RATE_LIMITED` with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    protected readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) protected readonly limits: RateLimitConfig,
    protected readonly routes: RouteThrottles,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = httpRequestOf<LimitedRequest>(context);
    const route = this.routes.of(context);
    const first = takePendingHit(request) ?? this.hitFor(route, request);
    const perUser = route.perUser;
    if (!perUser) return first ? this.check(context, first) : true;
    // Only once the request passed its other limit: a refused request spends no per-user budget.
    return Promise.resolve(first && this.check(context, first)).then(() => {
      const budget = this.userBudgetFor(perUser, request);
      return budget ? this.check(context, budget) : true;
    });
  }

  /** Synchronous when the answer is already in (a boolean lets Nest skip an await). */
  protected check(context: ExecutionContext, pending: PendingHit): true | Promise<true> {
    const { result, limit } = pending;
    if (result) return this.allow(context, result, limit);
    return pending.wait().then((hit) => this.allow(context, hit, limit));
  }

  /** The hit of the login, per-session or public-route limit, when no hook started it already. */
  protected hitFor(route: RouteThrottle, request: LimitedRequest): PendingHit | null {
    if (LOGIN_ROUTES.has(request.routeOptions?.url ?? ''))
      return this.start(`login:${request.ip}`, MINUTE_MS, this.limits.loginPerMinute);
    const session = sessionOf(request);
    const budget = session ? route.authenticated : route.public;
    if (!budget) return null;
    const key = session ? sessionCounterKey(session.tokenHash, budget) : `ip:${request.ip}:${budget.scope}`;
    return this.start(key, budget.ttlMs, budget.limit);
  }

  /** The per-user hourly budget a `@ThrottlePerUser()` route spends, or null without a session. */
  protected userBudgetFor(name: UserBudgetName, request: LimitedRequest): PendingHit | null {
    const session = sessionOf(request);
    if (!session) return null;
    const { appid, userId } = session.record;
    return this.start(`user:${name}:${appid}:${userId}`, HOUR_MS, this.limits.perUserPerHour[name]);
  }

  private start(key: string, windowMs: number, limit: number): PendingHit {
    const pending = new PendingHit(limit);
    this.store.count(key, windowMs, pending.settle, limit);
    return pending;
  }

  protected allow(context: ExecutionContext, { count, resetInMs }: RateLimitHit, limit: number): true {
    if (count <= limit) return true;
    const error = apiError('RATE_LIMITED', 'Too many requests; retry later', {
      'Retry-After': String(Math.max(1, Math.ceil(resetInMs / 1000))),
    });
    applyErrorHeaders(httpResponseOf(context), error);
    throw error;
  }
}
