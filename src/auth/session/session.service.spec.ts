import { describe, expect, test } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { MemorySessionStore } from './memory-session.store.js';
import { SessionService } from './session.service.js';

const OPTIONS: ResolvedAuthOptions = {
  keyPrefix: 'test:',
  sessionKeySecret: 'unit-test-session-key-secret-0123456789',
  idleTtlSeconds: 3600,
  touchIntervalSeconds: 60,
  absoluteTtlSeconds: 7200,
  loginReplayWindowSeconds: 300,
  maxSessionsPerUser: 10,
  source: { inMemoryStore: true },
};

/** A memory store whose chosen operation fails as an unreachable Redis would. */
class FailingStore extends MemorySessionStore {
  failing: 'deleteSessionKey' | 'revokeAll' | null = null;

  override async deleteSessionKey(appid: string, userId: number): Promise<void> {
    if (this.failing === 'deleteSessionKey') throw new SessionStoreUnavailableError('delete-session-key');
    return super.deleteSessionKey(appid, userId);
  }

  override async revokeAll(appid: string, userId: number): Promise<number> {
    if (this.failing === 'revokeAll') throw new SessionStoreUnavailableError('revoke-all');
    return super.revokeAll(appid, userId);
  }
}

/** The HTTP status a call rejects with (0 when it resolves). */
const statusOf = (call: Promise<unknown>) =>
  call.then(
    () => 0,
    (error: unknown) => (error instanceof HttpException ? error.getStatus() : -1),
  );

describe('SessionService.forgetUser', () => {
  const appid = 'wx0123456789abcdef';

  async function userWithTwoSessions(store: FailingStore, service: SessionService, userId: number) {
    const sealed = 'sealed-key';
    const a = await service.issueWithSessionKey(userId, appid, 'a', null, sealed);
    const b = await service.issue(userId, appid, 'b');
    return { a, b, sealed: await store.findSessionKey(appid, userId) };
  }

  test('forgets the session_key and every session of that user only; repeating it is harmless', async () => {
    const store = new FailingStore();
    const service = new SessionService(store, OPTIONS);
    const user = await userWithTwoSessions(store, service, 1);
    const other = await userWithTwoSessions(store, service, 2);
    expect(user.sealed).toBe('sealed-key');

    expect(await service.forgetUser(appid, 1)).toBe(2);
    expect(await store.findSessionKey(appid, 1)).toBeNull();
    expect(await statusOf(service.authenticate(user.a.token))).toBe(401);
    expect(await statusOf(service.authenticate(user.b.token))).toBe(401);
    expect(await service.forgetUser(appid, 1)).toBe(0);

    expect(await store.findSessionKey(appid, 2)).toBe('sealed-key');
    await expect(service.authenticate(other.a.token)).resolves.toBeDefined();
  });

  test('a store failure answers 503 and leaves the sessions, so the caller can retry with its token', async () => {
    for (const failing of ['deleteSessionKey', 'revokeAll'] as const) {
      const store = new FailingStore();
      const service = new SessionService(store, OPTIONS);
      const user = await userWithTwoSessions(store, service, 7);
      store.failing = failing;

      expect(await statusOf(service.forgetUser(appid, 7))).toBe(503);
      await expect(service.authenticate(user.a.token)).resolves.toBeDefined();

      store.failing = null;
      expect(await service.forgetUser(appid, 7)).toBe(2);
      expect(await store.findSessionKey(appid, 7)).toBeNull();
      expect(await statusOf(service.authenticate(user.a.token))).toBe(401);
    }
  });
});
