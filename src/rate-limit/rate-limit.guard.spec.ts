import { describe, expect, test } from '@jest/globals';
import { HttpException, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RateLimitConfig } from '../config/rate-limit.config.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { MemoryRateLimitStore } from './rate-limit.store.js';
import { ThrottlePerUser } from './throttle.decorator.js';

const limits: RateLimitConfig = {
  enabled: true,
  loginPerMinute: 100,
  sessionPerMinute: 100,
  failedTokensPerMinute: 100,
  perUserPerHour: { wechatCalls: 2, avatarUploads: 2 },
};

class Routes {
  @ThrottlePerUser('wechatCalls')
  callsWechat(): void {}

  plain(): void {}
}

/** An authenticated request of `userId`'s session `sessionId` to `handler`. */
function context(handler: () => void, userId: number, sessionId: string): ExecutionContext {
  const request = {
    ip: '203.0.113.1',
    routeOptions: { url: '/x' },
    weappAuthSession: { tokenHash: 'h', record: { id: sessionId, appid: 'wx0123456789abcdef', userId } },
  };
  const headers: Record<string, string> = {};
  const response = { header: (name: string, value: string) => (headers[name] = value) };
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
}

const statusOf = async (guard: RateLimitGuard, ctx: ExecutionContext) => {
  try {
    return (await guard.canActivate(ctx)) ? 200 : 403;
  } catch (error) {
    return error instanceof HttpException ? error.getStatus() : 500;
  }
};

describe('RateLimitGuard per-user budgets (@ThrottlePerUser)', () => {
  test('a marked route spends the user’s budget across sessions; unmarked routes and other users do not', async () => {
    const guard = new RateLimitGuard(new MemoryRateLimitStore(), limits, new Reflector());
    const { callsWechat, plain } = Routes.prototype;
    expect(await statusOf(guard, context(callsWechat, 1, 'a'))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, 1, 'b'))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, 1, 'c'))).toBe(429);
    expect(await statusOf(guard, context(plain, 1, 'a'))).toBe(200);
    expect(await statusOf(guard, context(callsWechat, 2, 'd'))).toBe(200);
  });
});
