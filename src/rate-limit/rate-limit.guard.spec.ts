import { describe, expect, test } from '@jest/globals';
import { HttpException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RateLimitConfig } from '../config/rate-limit.config.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { MemoryRateLimitStore, type RateLimitHit } from './rate-limit.store.js';
import { RouteThrottles } from './route-throttles.js';
import { SessionCounterHook } from './session-counter.hook.js';
import { SkipThrottle, Throttle, ThrottlePerUser } from './throttle.decorator.js';

const limits: RateLimitConfig = {
  enabled: true,
  loginPerMinute: 100,
  sessionPerMinute: 3,
  failedTokensPerMinute: 100,
  perUserPerHour: { wechatCalls: 2, avatarUploads: 2 },
};

class Routes {
  @ThrottlePerUser('wechatCalls')
  callsWechat(): void {}

  @ThrottlePerUser('avatarUploads')
  uploadsAvatar(): void {}

  @Throttle({ default: { limit: 1, ttl: 60_000 } })
  ownLimit(): void {}

  @SkipThrottle()
  unlimited(): void {}

  plain(): void {}
}

@SkipThrottle()
class SkippedRoutes {
  skipped(): void {}

  @SkipThrottle({ default: false })
  takenBack(): void {}
}

/** Counts the hits it is asked for, so a test can tell one hit per request from two. */
class CountingStore extends MemoryRateLimitStore {
  hits = 0;

  override count(key: string, windowMs: number, done: (hit: RateLimitHit) => void): void {
    this.hits++;
    super.count(key, windowMs, done);
  }
}

interface Caller {
  userId?: number;
  tokenHash?: string;
  ip?: string;
}

/** A request to `handler` of `controller`; authenticated when the caller has a user. */
function context(handler: () => void, caller: Caller, controller: object = Routes): ExecutionContext {
  const { userId, tokenHash = `token-of-${userId}`, ip = '203.0.113.1' } = caller;
  const request: Record<string, unknown> = { ip, routeOptions: { url: '/x' } };
  if (userId !== undefined)
    request.weappAuthSession = { tokenHash, record: { id: 's', appid: 'wx0123456789abcdef', userId } };
  const response = { header: () => response };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => controller,
    getArgByIndex: (index: number) => [request, response][index],
  } as unknown as ExecutionContext;
}

function build(store = new MemoryRateLimitStore()) {
  const routes = new RouteThrottles(new Reflector(), limits);
  return { guard: new RateLimitGuard(store, limits, routes), hook: new SessionCounterHook(store, routes) };
}

const statusOf = async (guard: RateLimitGuard, ctx: ExecutionContext) => {
  try {
    return (await guard.canActivate(ctx)) ? 200 : 403;
  } catch (error) {
    return error instanceof HttpException ? error.getStatus() : 500;
  }
};

/** Statuses of `count` requests in a row. */
async function statuses(guard: RateLimitGuard, count: number, ctx: () => ExecutionContext) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push(await statusOf(guard, ctx()));
  return seen;
}

const { callsWechat, uploadsAvatar, ownLimit, unlimited, plain } = Routes.prototype;

describe('RateLimitGuard per-user budgets (@ThrottlePerUser)', () => {
  test('a marked route spends the user’s budget across sessions; unmarked routes and other users do not', async () => {
    const { guard } = build();
    expect(await statusOf(guard, context(callsWechat, { userId: 1, tokenHash: 'a' }))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, { userId: 1, tokenHash: 'b' }))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, { userId: 1, tokenHash: 'c' }))).toBe(429);
    expect(await statusOf(guard, context(plain, { userId: 1, tokenHash: 'a' }))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, { userId: 2, tokenHash: 'd' }))).toBe(200);
  });

  test('each named budget is counted on its own', async () => {
    const { guard } = build();
    expect(await statuses(guard, 3, () => context(uploadsAvatar, { userId: 3, tokenHash: 'x' }))).toEqual([
      200, 200, 429,
    ]);
    expect(await statusOf(guard, context(callsWechat, { userId: 3, tokenHash: 'y' }))).toBe(200);
  });
});

describe('RateLimitGuard route decorators (@Throttle, @SkipThrottle)', () => {
  test('without a decorator, every route of a session spends the one default budget', async () => {
    const { guard } = build();
    expect(await statuses(guard, 4, () => context(plain, { userId: 1 }))).toEqual([200, 200, 200, 429]);
    expect(await statusOf(guard, context(callsWechat, { userId: 1 }))).toBe(429);
  });

  test('@Throttle gives the route its own counter and limit, leaving the default budget alone', async () => {
    const { guard } = build();
    expect(await statuses(guard, 2, () => context(ownLimit, { userId: 1 }))).toEqual([200, 429]);
    expect(await statuses(guard, 3, () => context(plain, { userId: 1 }))).toEqual([200, 200, 200]);
    expect(await statusOf(guard, context(ownLimit, { userId: 2 }))).toBe(200);
  });

  test('@Throttle on a public route counts per client IP', async () => {
    const { guard } = build();
    expect(await statuses(guard, 2, () => context(ownLimit, { ip: '198.51.100.1' }))).toEqual([200, 429]);
    expect(await statusOf(guard, context(ownLimit, { ip: '198.51.100.2' }))).toBe(200);
    // Public routes without @Throttle are not limited.
    expect(await statuses(guard, 5, () => context(plain, { ip: '198.51.100.1' }))).toEqual([
      200, 200, 200, 200, 200,
    ]);
  });

  test('@SkipThrottle exempts a route from the default budget', async () => {
    const { guard } = build();
    expect(await statuses(guard, 5, () => context(unlimited, { userId: 1 }))).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(await statuses(guard, 4, () => context(plain, { userId: 1 }))).toEqual([200, 200, 200, 429]);
  });

  test('@SkipThrottle on a controller, taken back on one method with { default: false }', async () => {
    const { guard } = build();
    const { skipped, takenBack } = SkippedRoutes.prototype;
    const call = (handler: () => void) => () => context(handler, { userId: 1 }, SkippedRoutes);
    expect(await statuses(guard, 5, call(skipped))).toEqual([200, 200, 200, 200, 200]);
    expect(await statuses(guard, 4, call(takenBack))).toEqual([200, 200, 200, 429]);
  });

  test('@Throttle refuses limits that are not positive integers', () => {
    expect(() => Throttle({ default: { limit: 0, ttl: 60_000 } })).toThrow(/positive integers/);
    expect(() => Throttle({ default: { limit: 5, ttl: 0.5 } })).toThrow(/positive integers/);
  });
});

describe('SessionCounterHook', () => {
  test('the hit it starts with the session read is the one the guard checks: one hit per request', async () => {
    const store = new CountingStore();
    const { guard, hook } = build(store);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ctx = context(plain, { userId: 1 });
      hook.onLookup(ctx, 'token-of-1');
      seen.push(await statusOf(guard, ctx));
    }
    expect(seen).toEqual([200, 200, 200, 429]);
    expect(store.hits).toBe(4);
  });

  test('a skipped route starts no hit', () => {
    const store = new CountingStore();
    const { hook } = build(store);
    hook.onLookup(context(unlimited, { userId: 1 }), 'token-of-1');
    expect(store.hits).toBe(0);
  });
});
