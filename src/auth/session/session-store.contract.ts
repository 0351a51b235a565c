import { afterAll, beforeEach, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from './session.store.js';

/**
 * The behaviour every SessionStore must have. Run against each implementation (Redis, memory), so
 * development and production cannot drift apart.
 */
export function describeSessionStoreContract(
  name: string,
  createStore: () => Promise<SessionStore> | SessionStore,
): void {
  describe(`${name} honours the SessionStore contract`, () => {
    let store: SessionStore;
    const appid = 'wx' + randomBytes(8).toString('hex');
    let nextUserId = Math.floor(Math.random() * 1_000_000);
    const far = () => Date.now() + 60_000;

    beforeEach(async () => {
      store = await createStore();
    });

    afterAll(async () => {
      await store?.close();
    });

    const newSession = (userId = ++nextUserId, overrides: Partial<SessionRecord> = {}) => {
      const now = Date.now();
      return {
        tokenHash: randomBytes(32).toString('base64url'),
        record: {
          id: randomBytes(12).toString('base64url'),
          userId,
          appid,
          createdAt: now,
          lastSeenAt: now,
          idleExpiresAt: now + 30_000,
          absoluteExpiresAt: now + 60_000,
          userAgent: 'contract',
          snapshot: { id: userId, nickname: '😀' },
          ...overrides,
        } satisfies SessionRecord,
      };
    };

    test('finds a created session by its token hash, and nothing by another hash', async () => {
      const session = newSession();
      await store.create(session, far());
      expect(await store.find(session.tokenHash)).toEqual(session.record);
      expect(await store.find(randomBytes(32).toString('base64url'))).toBeNull();
    });

    test('forgets a session once its retention deadline passes', async () => {
      const session = newSession();
      await store.create(session, Date.now() + 150);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await store.find(session.tokenHash)).toBeNull();
    });

    test('touch replaces the record, but never resurrects a revoked session', async () => {
      const session = newSession();
      await store.create(session, far());
      const touched = { ...session.record, lastSeenAt: session.record.lastSeenAt + 5 };
      await store.touch(session.tokenHash, touched, far());
      expect(await store.find(session.tokenHash)).toEqual(touched);

      await store.revoke(appid, session.record.userId, session.record.id);
      await store.touch(session.tokenHash, touched, far());
      expect(await store.find(session.tokenHash)).toBeNull();
    });

    test('lists, revokes one and revokes all sessions of one user only', async () => {
      const userId = ++nextUserId;
      const [a, b, c] = [newSession(userId), newSession(userId), newSession(userId)];
      const other = newSession();
      for (const s of [a, b, c, other]) await store.create(s, far());

      expect((await store.listForUser(appid, userId)).map((s) => s.record.id).sort()).toEqual(
        [a, b, c].map((s) => s.record.id).sort(),
      );
      expect(await store.revoke(appid, userId, b.record.id)).toBe(true);
      expect(await store.revoke(appid, userId, b.record.id)).toBe(false);
      expect(await store.revoke(appid, userId, other.record.id)).toBe(false);
      expect(await store.find(b.tokenHash)).toBeNull();

      expect(await store.revokeAll(appid, userId)).toBe(2);
      expect(await store.listForUser(appid, userId)).toEqual([]);
      expect(await store.find(other.tokenHash)).toEqual(other.record);
    });

    test('a revoke-all racing creates leaves no findable session outside the listing', async () => {
      for (let round = 0; round < 5; round++) {
        const userId = ++nextUserId;
        const early = [newSession(userId), newSession(userId)];
        for (const s of early) await store.create(s, far());
        const racing = Array.from({ length: 15 }, () => newSession(userId));
        await Promise.all([store.revokeAll(appid, userId), ...racing.map((s) => store.create(s, far()))]);

        for (const s of early) expect(await store.find(s.tokenHash)).toBeNull();
        const listed = new Set((await store.listForUser(appid, userId)).map((s) => s.tokenHash));
        for (const s of racing) {
          if ((await store.find(s.tokenHash)) !== null) expect(listed.has(s.tokenHash)).toBe(true);
        }
        await store.revokeAll(appid, userId);
        for (const s of racing) expect(await store.find(s.tokenHash)).toBeNull();
      }
    });

    test('a create beyond the cap evicts the oldest sessions of that user only', async () => {
      const userId = ++nextUserId;
      const other = newSession();
      await store.create(other, far(), 2);
      const sessions = [0, 1, 2, 3, 4].map((i) =>
        newSession(userId, { createdAt: Date.now() + i, lastSeenAt: Date.now() + i }),
      );
      for (const s of sessions) await store.create(s, far(), 3);

      const listed = await store.listForUser(appid, userId);
      expect(listed.map((s) => s.record.id).sort()).toEqual(
        sessions
          .slice(2)
          .map((s) => s.record.id)
          .sort(),
      );
      expect(await store.find(sessions[0].tokenHash)).toBeNull();
      expect(await store.find(sessions[1].tokenHash)).toBeNull();
      expect(await store.find(other.tokenHash)).toEqual(other.record);

      const withKey = newSession(userId, { createdAt: Date.now() + 10 });
      await store.createWithSessionKey(withKey, far(), { sealed: 'sealed-cap', retainUntil: far() }, 3);
      expect(await store.find(sessions[2].tokenHash)).toBeNull();
      expect(await store.listForUser(appid, userId)).toHaveLength(3);
    });

    test('concurrent creates beyond the cap leave at most the cap findable, all of them listed', async () => {
      const userId = ++nextUserId;
      const sessions = Array.from({ length: 20 }, () => newSession(userId));
      await Promise.all(sessions.map((s) => store.create(s, far(), 4)));
      const found = (await Promise.all(sessions.map((s) => store.find(s.tokenHash)))).filter(Boolean);
      expect(found).toHaveLength(4);
      expect(await store.listForUser(appid, userId)).toHaveLength(4);
    });

    test('updates the cached profile in every session of the user', async () => {
      const userId = ++nextUserId;
      const [a, b] = [newSession(userId), newSession(userId)];
      await store.create(a, far());
      await store.create(b, far());
      await store.updateSnapshot(appid, userId, { id: userId, nickname: '新しい' });
      expect((await store.find(a.tokenHash))?.snapshot).toEqual({ id: userId, nickname: '新しい' });
      expect((await store.find(b.tokenHash))?.snapshot).toEqual({ id: userId, nickname: '新しい' });
    });

    test('keeps only the latest sealed session_key of a user', async () => {
      const userId = ++nextUserId;
      expect(await store.findSessionKey(appid, userId)).toBeNull();
      await store.saveSessionKey(appid, userId, 'sealed-1', far());
      await store.saveSessionKey(appid, userId, 'sealed-2', far());
      expect(await store.findSessionKey(appid, userId)).toBe('sealed-2');
      expect(await store.findSessionKey(appid, userId + 1)).toBeNull();
    });

    test("deleteSessionKey forgets one user's session_key only, leaves the sessions, and is idempotent", async () => {
      const session = newSession();
      const { userId } = session.record;
      const other = ++nextUserId;
      await store.createWithSessionKey(session, far(), { sealed: 'sealed-gone', retainUntil: far() });
      await store.saveSessionKey(appid, other, 'sealed-kept', far());

      await store.deleteSessionKey(appid, userId);
      expect(await store.findSessionKey(appid, userId)).toBeNull();
      expect(await store.findSessionKey(appid, other)).toBe('sealed-kept');
      expect(await store.find(session.tokenHash)).toEqual(session.record);
      await expect(store.deleteSessionKey(appid, userId)).resolves.toBeUndefined();
      await expect(store.deleteSessionKey(appid, ++nextUserId)).resolves.toBeUndefined();
    });

    test("a login's session and session_key are saved together, and the session is listed", async () => {
      const session = newSession();
      const { userId } = session.record;
      await store.saveSessionKey(appid, userId, 'sealed-old', far());
      await store.createWithSessionKey(session, far(), { sealed: 'sealed-new', retainUntil: far() });
      expect(await store.find(session.tokenHash)).toEqual(session.record);
      expect(await store.findSessionKey(appid, userId)).toBe('sealed-new');
      expect(await store.listForUser(appid, userId)).toEqual([session]);
    });
  });
}
