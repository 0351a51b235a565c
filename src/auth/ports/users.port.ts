import type { UserSnapshot } from '../session/session.store.js';
import type { LoginEvidence, MergedUser, WechatIdentity } from '../../common/identity.js';

export {
  IDENTITY_KINDS,
  type IdentityKind,
  type LoginEvidence,
  type MergedUser,
  type VerifiedPhone,
  type WechatIdentity,
} from '../../common/identity.js';

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
  /**
   * Users this login merged into this one (`LoginEvidence.merge`), with the apps their sessions were
   * in: the module moves those sessions (and session_keys) to this user.
   */
  merged?: MergedUser[];
}

/**
 * What the login needs from the host app's users: the user for a WeChat identity, created on first
 * login. `weapp-auth/users` implements it on TypeORM (`UsersService`, one person with several
 * identities, linked by unionid and verified phone); implement it yourself to keep users in your own
 * table. It must be race-safe (two first logins of one openid give one user) and
 * must throw, not answer, when its database fails: the login then answers 503
 * `DATABASE_UNAVAILABLE` and issues no session.
 * @publicApi
 */
export interface AuthUsersPort {
  /**
   * May throw {@link AccountConflictError} (the login then answers 409 `ACCOUNT_CONFLICT` and issues
   * no session) when the identity and the evidence point at two different existing users.
   */
  findOrCreate(identity: WechatIdentity, evidence?: LoginEvidence): Promise<AuthUser>;
}
