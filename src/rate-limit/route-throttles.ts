import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { rateLimitConfig, type RateLimitConfig, type UserBudgetName } from '../config/rate-limit.config.js';
import {
  SKIP_THROTTLE_KEY,
  THROTTLE_KEY,
  THROTTLE_PER_USER_KEY,
  type ThrottleLimit,
} from './throttle.decorator.js';

const MINUTE_MS = 60_000;

/** A counter a request spends: `scope` is '' for the shared per-session budget, else the route's own. */
export interface RouteLimit {
  limit: number;
  ttlMs: number;
  scope: string;
}

/** What the decorators say about one route. */
export interface RouteThrottle {
  /** Per session (authenticated) or per IP (`@Public()` with `@Throttle()`); null when skipped or none. */
  authenticated: RouteLimit | null;
  public: RouteLimit | null;
  /** The per-user budget named by `@ThrottlePerUser()`. */
  perUser: UserBudgetName | null;
}

/**
 * Reads `@Throttle()`, `@SkipThrottle()` and `@ThrottlePerUser()` of a route once and keeps the answer:
 * decorators are fixed once the app is built, and this runs twice on every guarded request (the
 * session-read hook and the guard).
 */
@Injectable()
export class RouteThrottles {
  private readonly byController = new WeakMap<object, WeakMap<object, RouteThrottle>>();
  private readonly sessionDefault: RouteLimit;

  constructor(
    private readonly reflector: Reflector,
    @Inject(rateLimitConfig.KEY) limits: RateLimitConfig,
  ) {
    this.sessionDefault = { limit: limits.sessionPerMinute, ttlMs: MINUTE_MS, scope: '' };
  }

  of(context: ExecutionContext): RouteThrottle {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byHandler = this.byController.get(controller);
    if (!byHandler) this.byController.set(controller, (byHandler = new WeakMap()));
    let route = byHandler.get(handler);
    if (!route) byHandler.set(handler, (route = this.read(handler, controller)));
    return route;
  }

  private read(
    handler: ReturnType<ExecutionContext['getHandler']>,
    controller: ReturnType<ExecutionContext['getClass']>,
  ): RouteThrottle {
    const targets = [handler, controller];
    const own = this.reflector.getAllAndOverride<ThrottleLimit | undefined>(THROTTLE_KEY, targets);
    const skipped =
      this.reflector.getAllAndOverride<boolean | undefined>(SKIP_THROTTLE_KEY, targets) === true;
    const perUser = this.reflector.get<UserBudgetName | undefined>(THROTTLE_PER_USER_KEY, handler) ?? null;
    // Named like @nestjs/throttler's keys: one counter per controller method.
    const routeLimit: RouteLimit | null = own
      ? { limit: own.limit, ttlMs: own.ttl, scope: `${controller.name}.${handler.name}` }
      : null;
    return {
      authenticated: skipped ? null : (routeLimit ?? this.sessionDefault),
      public: skipped ? null : routeLimit,
      perUser,
    };
  }
}
