import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { applyErrorHeaders } from '../common/api.exception.js';
import { apiError } from '../common/error-catalogue.js';
import { sessionOf } from '../auth/index.js';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config.js';
import { RateLimitStore } from './rate-limit.store.js';

const MINUTE_MS = 60_000;
const LOGIN_ROUTE = '/auth/login';

interface LimitedRequest {
  ip: string;
  routeOptions?: { url?: string };
}

/**
 * Two budgets per minute: POST /auth/login per client IP (lenient: a carrier NAT puts many users
 * behind one address), and every authenticated route per session. Registered after the auth
 * module's guard, so it sees the session. Past a budget: 429 `RATE_LIMITED` with Retry-After.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    protected readonly store: RateLimitStore,
    @Inject(rateLimitConfig.KEY) protected readonly limits: RateLimitConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<LimitedRequest>();
    const budget = this.budgetFor(request);
    if (!budget) return true;
    const { count, resetInMs } = await this.store.hit(budget.key, MINUTE_MS);
    if (count <= budget.limit) return true;
    const error = apiError('RATE_LIMITED', 'Too many requests; retry later', {
      'Retry-After': String(Math.max(1, Math.ceil(resetInMs / 1000))),
    });
    applyErrorHeaders(http.getResponse(), error);
    throw error;
  }

  protected budgetFor(request: LimitedRequest): { key: string; limit: number } | null {
    if (request.routeOptions?.url === LOGIN_ROUTE)
      return { key: `login:${request.ip}`, limit: this.limits.loginPerMinute };
    const session = sessionOf(request);
    if (session) return { key: `session:${session.record.id}`, limit: this.limits.sessionPerMinute };
    return null;
  }
}
