import { Injectable, type ExecutionContext } from '@nestjs/common';
import { SessionLookupHook } from '../auth/index.js';
import { PendingHit } from './pending-hit.js';
import { RateLimitStore } from './rate-limit.store.js';
import { RouteThrottles, type RouteLimit } from './route-throttles.js';
import { httpRequestOf } from '../common/http-context.js';

const PENDING_HIT = Symbol('rateLimitPendingHit');

/** The per-session counter key: the token hash names the session (one token per session, for life). */
export function sessionCounterKey(tokenHash: string, { scope }: RouteLimit): string {
  return scope ? `session:${tokenHash}:${scope}` : `session:${tokenHash}`;
}

/**
 * Starts a guarded request's per-session counter hit as the session guard starts its read, so both go
 * to Redis in one write (the store and the session store share the auth module's batcher);
 * RateLimitGuard, which runs once the session is in, picks the hit up with {@link takePendingHit}.
 * At the default limit most hits are counted in memory out of a slice reserved earlier (BudgetSlices)
 * and are settled before the read leaves; only the hit that reserves the next slice goes to Redis.
 * Measured on GET /users/me (bench/, server CPU per request, limits on minus limits off): a counter
 * of its own after the read (one EVAL per request) cost ~15 µs; riding the read's write, ~3 µs.
 * Keyed by token hash because the session id is not known before the read (a session keeps its one
 * token for life, so it is the same budget); a token that turns out unknown leaves a small counter
 * behind for one window.
 */
@Injectable()
export class SessionCounterHook extends SessionLookupHook {
  constructor(
    private readonly store: RateLimitStore,
    private readonly routes: RouteThrottles,
  ) {
    super();
  }

  onLookup(context: ExecutionContext, tokenHash: string): void {
    const budget = this.routes.of(context).authenticated;
    if (!budget) return;
    const pending = new PendingHit(budget.limit);
    this.store.count(sessionCounterKey(tokenHash, budget), budget.ttlMs, pending.settle, budget.limit);
    httpRequestOf<Record<symbol, PendingHit>>(context)[PENDING_HIT] = pending;
  }
}

/** The hit {@link SessionCounterHook} started for this request, if any (once). */
export function takePendingHit(request: object): PendingHit | undefined {
  const holder = request as Record<symbol, PendingHit | undefined>;
  const pending = holder[PENDING_HIT];
  if (pending) holder[PENDING_HIT] = undefined;
  return pending;
}
