import { Inject, Injectable, Logger } from '@nestjs/common';
import { AUTH_RESOLVED_OPTIONS } from '../auth.constants.js';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { sessionExpired, sessionInvalid, sessionStoreUnavailable } from '../errors/auth.exception.js';
import { SessionKeyCipher, sessionKeyOwner } from './session-key.cipher.js';
import { generateSessionId, generateSessionToken, hashSessionToken } from './session-token.js';
import { SessionStore, type SessionRecord, type StoredSession, type UserSnapshot } from './session.store.js';
import { errorMessage } from '../../common/error-message.js';
import type { IdentityKind } from '../ports/users.port.js';

/**
 * How long a record outlives its expiry, so a late request hears "expired" (log in again, nothing
 * wrong) rather than "invalid" (revoked or forged). Costs one small key per session for a day.
 */
const EXPIRED_RETENTION_MS = 24 * 3600 * 1000;

/** A freshly issued session: the raw token goes to the client and is then forgotten. @publicApi */
export interface IssuedSession {
  token: string;
  /** What the store keys the session by (SHA-256 of the token). */
  tokenHash: string;
  record: SessionRecord;
  expiresAt: number;
}

/** An authenticated request's session. @publicApi */
/** The identity a session is issued for: its app, and the openid and kind it logged in with. @publicApi */
export interface SessionOrigin {
  appid: string;
  openid?: string;
  kind?: IdentityKind;
}

export interface AuthenticatedSession {
  tokenHash: string;
  record: SessionRecord;
}

/**
 * Issues, authenticates, lists and revokes sessions, and keeps each user's latest session_key
 * sealed in the store. Store outages surface as 503 exceptions, never as 401.
 * @publicApi
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly touchIntervalMs: number;
  private readonly maxPerUser: number;
  private readonly cipher: SessionKeyCipher;

  constructor(
    private readonly store: SessionStore,
    @Inject(AUTH_RESOLVED_OPTIONS) options: ResolvedAuthOptions,
  ) {
    this.idleMs = options.idleTtlSeconds * 1000;
    this.absoluteMs = options.absoluteTtlSeconds * 1000;
    this.touchIntervalMs = options.touchIntervalSeconds * 1000;
    this.maxPerUser = options.maxSessionsPerUser;
    this.cipher = new SessionKeyCipher(options.sessionKeySecret);
  }

  /** `origin`: the appid, or the identity the login was made with (kept in the record). */
  async issue(
    userId: number,
    origin: string | SessionOrigin,
    userAgent: string | null,
    snapshot: UserSnapshot | null = null,
    now = Date.now(),
  ): Promise<IssuedSession> {
    const { token, tokenHash, record } = this.newSession(userId, origin, userAgent, snapshot, now);
    await this.guard(() => this.store.create({ tokenHash, record }, retainUntil(record), this.maxPerUser));
    return { token, tokenHash, record, expiresAt: expiresAt(record) };
  }

  /**
   * A login's session together with the user's new sealed session_key: both are saved, or the
   * login fails and its token is never handed out.
   */
  async issueWithSessionKey(
    userId: number,
    origin: string | SessionOrigin,
    userAgent: string | null,
    snapshot: UserSnapshot | null,
    sealedSessionKey: string,
    now = Date.now(),
  ): Promise<IssuedSession> {
    const { token, tokenHash, record } = this.newSession(userId, origin, userAgent, snapshot, now);
    await this.guard(() =>
      this.store.createWithSessionKey(
        { tokenHash, record },
        retainUntil(record),
        {
          sealed: sealedSessionKey,
          retainUntil: now + this.absoluteMs,
        },
        this.maxPerUser,
      ),
    );
    return { token, tokenHash, record, expiresAt: expiresAt(record) };
  }

  private newSession(
    userId: number,
    origin: string | SessionOrigin,
    userAgent: string | null,
    snapshot: UserSnapshot | null,
    now: number,
  ): { token: string; tokenHash: string; record: SessionRecord } {
    const token = generateSessionToken();
    const { appid, openid, kind } = typeof origin === 'string' ? { appid: origin } : origin;
    return {
      token,
      tokenHash: hashSessionToken(token),
      record: {
        id: generateSessionId(),
        userId,
        appid,
        ...(openid === undefined ? {} : { openid, kind: kind ?? 'mini_program' }),
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + this.idleMs,
        absoluteExpiresAt: now + this.absoluteMs,
        userAgent: userAgent?.slice(0, 256) ?? null,
        snapshot,
      },
    };
  }

  /**
   * The live session behind a raw token; rejects with 401 (invalid / expired) or 503 (store down).
   * Runs on every guarded request, hence `then` rather than async layers.
   */
  authenticate(token: string, now = Date.now()): Promise<AuthenticatedSession> {
    return this.authenticateHash(hashSessionToken(token), now);
  }

  /** As {@link authenticate}, for a caller that already hashed the token (the guard, to share the hash). */
  authenticateHash(tokenHash: string, now = Date.now()): Promise<AuthenticatedSession> {
    return this.store.find(tokenHash).then((record) => {
      if (!record) throw sessionInvalid();
      if (expiresAt(record) <= now) throw sessionExpired();
      return { tokenHash, record };
    }, toHttpError);
  }

  /** The live session behind a raw token, or null (unknown, revoked or expired); 503 when the store is down. */
  findLive(token: string, now = Date.now()): Promise<AuthenticatedSession | null> {
    const tokenHash = hashSessionToken(token);
    return this.guard(() => this.store.find(tokenHash)).then((record) =>
      record && expiresAt(record) > now ? { tokenHash, record } : null,
    );
  }

  /**
   * Slides the idle expiry, but writes at most once per touch interval: a busy client costs one
   * Redis write an hour, not one per request. Never throws: a missed touch only shortens a session.
   */
  touchIfDue({ tokenHash, record }: AuthenticatedSession, now = Date.now()): void {
    if (now - record.lastSeenAt < this.touchIntervalMs) return;
    const touched: SessionRecord = {
      ...record,
      lastSeenAt: now,
      idleExpiresAt: Math.min(now + this.idleMs, record.absoluteExpiresAt),
    };
    this.store.touch(tokenHash, touched, retainUntil(touched)).catch((error: unknown) => {
      this.logger.warn(`session touch skipped: ${errorMessage(error)}`);
    });
  }

  async list(appid: string, userId: number, now = Date.now()): Promise<SessionRecord[]> {
    const sessions = await this.guard(() => this.store.listForUser(appid, userId));
    return sessions
      .map(({ record }: StoredSession) => record)
      .filter((record) => expiresAt(record) > now)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, this.maxPerUser);
  }

  revoke(appid: string, userId: number, sessionId: string): Promise<boolean> {
    return this.guard(() => this.store.revoke(appid, userId, sessionId));
  }

  revokeAll(appid: string, userId: number): Promise<number> {
    return this.guard(() => this.store.revokeAll(appid, userId));
  }

  /**
   * Forgets a user entirely (account deletion): the stored session_key, then every session. The key
   * goes first so that a failure in between leaves the caller's token working for a retry; once the
   * sessions are gone, nothing of the user is left to retry with. Idempotent; 503 on a store outage.
   * Returns how many sessions were revoked.
   */
  async forgetUser(appid: string, userId: number): Promise<number> {
    await this.guard(() => this.store.deleteSessionKey(appid, userId));
    return this.revokeAll(appid, userId);
  }

  /**
   * Logout: revokes the session behind a raw token if it still exists. Idempotent. Resolves false when
   * the token matched no session (the logout route counts that as a failed token lookup).
   */
  async revokeToken(token: string): Promise<boolean> {
    const record = await this.guard(() => this.store.find(hashSessionToken(token)));
    if (!record) return false;
    await this.revoke(record.appid, record.userId, record.id);
    return true;
  }

  /** Replaces the user snapshot in all of a user's sessions; call after changing what it mirrors. */
  /** After a merge of users: `fromUserId`'s sessions and session_key in `appid` become `toUserId`'s. */
  moveUser(
    appid: string,
    fromUserId: number,
    toUserId: number,
    snapshot: UserSnapshot | null,
  ): Promise<number> {
    return this.guard(() => this.store.moveUser(appid, fromUserId, toUserId, snapshot));
  }

  updateSnapshot(appid: string, userId: number, snapshot: UserSnapshot): Promise<void> {
    return this.guard(() => this.store.updateSnapshot(appid, userId, snapshot));
  }

  /** Replaces the user's stored session_key with the latest one from WeChat, already sealed. */
  async saveSealedSessionKey(appid: string, userId: number, sealed: string, now = Date.now()): Promise<void> {
    await this.guard(() => this.store.saveSessionKey(appid, userId, sealed, now + this.absoluteMs));
  }

  /** The user's latest session_key, for server-side decryption and checks; never send it anywhere. */
  async findSessionKey(appid: string, userId: number): Promise<string | null> {
    const sealed = await this.guard(() => this.store.findSessionKey(appid, userId));
    return sealed === null ? null : this.cipher.open(sealed, sessionKeyOwner(appid));
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      toHttpError(error);
    }
  }
}

/** Store outages become 503; anything else is rethrown as it is. */
function toHttpError(error: unknown): never {
  if (error instanceof SessionStoreUnavailableError) throw sessionStoreUnavailable();
  throw error;
}

export function expiresAt(record: SessionRecord): number {
  return Math.min(record.idleExpiresAt, record.absoluteExpiresAt);
}

function retainUntil(record: SessionRecord): number {
  return expiresAt(record) + EXPIRED_RETENTION_MS;
}
