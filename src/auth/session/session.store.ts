import type { IdentityKind } from '../ports/users.port.js';

/**
 * One login on one device. Stored under the SHA-256 of its token; the record never holds the token.
 * Times are epoch milliseconds.
 * @publicApi
 */
export interface SessionRecord {
  /** Public, random identifier used to list and revoke sessions; unrelated to the token. */
  id: string;
  userId: number;
  /** The app the login was made in (a mini program, Official Account or website). */
  appid: string;
  /**
   * The openid the login was made with, in `appid`, and its kind (default `mini_program`): which of
   * the user's identities this session is. Absent in sessions issued before identities existed.
   */
  openid?: string;
  kind?: IdentityKind;
  createdAt: number;
  lastSeenAt: number;
  /** Sliding: pushed forward by a touch, at most once per touch interval. */
  idleExpiresAt: number;
  /** Hard cap from login; a touch never moves it. */
  absoluteExpiresAt: number;
  userAgent: string | null;
  /**
   * What the host app wants at hand on every guarded request without a database query (for this
   * service: the user's public profile), as the users port returned it at login or as the app last
   * refreshed it. Opaque to the auth module.
   */
  snapshot: UserSnapshot | null;
}

/** A JSON-serialisable object the host app defines; the auth module only stores and returns it. @publicApi */
export type UserSnapshot = Record<string, unknown>;

/** A session record together with the hash it is stored under. @publicApi */
export interface StoredSession {
  tokenHash: string;
  record: SessionRecord;
}

/**
 * Where sessions and session_keys live. Redis in production, process memory in development;
 * implement it to plug in something else. Both built-in stores pass one shared contract suite.
 *
 * Every method may throw {@link SessionStoreUnavailableError} when the backing store cannot answer
 * in time; callers turn that into 503, never into 401.
 * @publicApi
 */
export abstract class SessionStore {
  /**
   * Saves a new session. `retainUntil` is when the store may forget it: a little after it expires,
   * so a late request can still be told "expired" rather than "invalid". With `maxPerUser`, the
   * user's oldest sessions (by `createdAt`) beyond that many are revoked.
   */
  abstract create(session: StoredSession, retainUntil: number, maxPerUser?: number): Promise<void>;

  /** The session stored under this token hash, or null. Does not check expiry. */
  abstract find(tokenHash: string): Promise<SessionRecord | null>;

  /** Replaces the record after activity (new lastSeenAt / idleExpiresAt); never resurrects a revoked session. */
  abstract touch(tokenHash: string, record: SessionRecord, retainUntil: number): Promise<void>;

  /** Every session of a user (expired ones may be included; callers filter). */
  abstract listForUser(appid: string, userId: number): Promise<StoredSession[]>;

  /** Deletes one session of a user by its public id; false when the user has no such session. */
  abstract revoke(appid: string, userId: number, sessionId: string): Promise<boolean>;

  /** Deletes every session of a user; returns how many there were. */
  abstract revokeAll(appid: string, userId: number): Promise<number>;

  /** Replaces the user snapshot in every live session of a user (after the app changed the user). */
  abstract updateSnapshot(appid: string, userId: number, snapshot: UserSnapshot): Promise<void>;

  /** Stores the (already encrypted) latest session_key of a user, replacing the previous one. */
  abstract saveSessionKey(
    appid: string,
    userId: number,
    sealedSessionKey: string,
    retainUntil: number,
  ): Promise<void>;

  /**
   * A login's two writes: the user's new sealed session_key, then the new session. Override it when
   * the store can do both in one round trip; this default saves the key first, so a failure leaves
   * no session behind.
   */
  async createWithSessionKey(
    session: StoredSession,
    retainUntil: number,
    sessionKey: { sealed: string; retainUntil: number },
    maxPerUser?: number,
  ): Promise<void> {
    const { appid, userId } = session.record;
    await this.saveSessionKey(appid, userId, sessionKey.sealed, sessionKey.retainUntil);
    await this.create(session, retainUntil, maxPerUser);
  }

  /** The sealed session_key saved by {@link saveSessionKey}, or null. */
  abstract findSessionKey(appid: string, userId: number): Promise<string | null>;

  /**
   * Forgets the user's sealed session_key (account deletion). Idempotent: none stored is fine.
   * Sessions are not touched; revoke them separately.
   */
  abstract deleteSessionKey(appid: string, userId: number): Promise<void>;

  /**
   * After two users were merged: every session of `fromUserId` in `appid` becomes `toUserId`'s (same
   * token, same expiry, the new snapshot), and so does its sealed session_key. Returns how many
   * sessions moved. This default cannot move: it revokes them (their devices log in again, and land
   * on the merged user) and forgets the key; the built-in stores override it.
   */
  async moveUser(
    appid: string,
    fromUserId: number,
    toUserId: number,
    snapshot: UserSnapshot | null,
  ): Promise<number> {
    void toUserId;
    void snapshot;
    await this.revokeAll(appid, fromUserId);
    await this.deleteSessionKey(appid, fromUserId);
    return 0;
  }

  /** Releases connections the store opened itself. */
  async close(): Promise<void> {}
}
