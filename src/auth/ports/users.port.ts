import type { UserSnapshot } from '../session/session.store.js';

/**
 * Who WeChat says logged in: the openid is per mini program; the unionid is the same person across
 * every app bound to one WeChat Open Platform account, and only present for such apps.
 * @publicApi
 */
export interface WechatIdentity {
  appid: string;
  openid: string;
  unionid?: string;
}

/** The host app's user behind a WeChat identity. @publicApi */
export interface AuthUser {
  /** The user's id in the host app (a positive integer); sessions are listed and revoked by it. */
  id: number;
  /**
   * Kept in every session of this login and returned as `user` by `POST /auth/login`: whatever the
   * app wants on guarded requests without a database query (e.g. the public profile). JSON only.
   */
  snapshot: UserSnapshot | null;
  /**
   * The host app has banned this user (an operator's decision): the login answers 403 `USER_BANNED`
   * and issues no session. Revoking the user's existing sessions is the host app's part of a ban.
   */
  banned?: boolean;
}

/**
 * What the login needs from the host app's users: the user for a WeChat identity, created on first
 * login. `weapp-auth/users` implements it on TypeORM (`UsersService`); implement it yourself to keep
 * users in your own table. It must be race-safe (two first logins of one openid give one user) and
 * must throw, not answer, when its database fails: the login then answers 503
 * `DATABASE_UNAVAILABLE` and issues no session.
 * @publicApi
 */
export interface AuthUsersPort {
  findOrCreate(identity: WechatIdentity): Promise<AuthUser>;
}
