import type { UserSnapshot } from '../session/session.store.js';

/**
 * What kind of WeChat app an identity belongs to: a mini program (`wx.login`), an Official Account's
 * in-WeChat web pages (OAuth `snsapi_base`/`snsapi_userinfo`), a website's QR login (`snsapi_login`)
 * or a mobile app (the Open Platform's app login).
 * @publicApi
 */
export type IdentityKind = 'mini_program' | 'official_account' | 'website' | 'mobile_app';

/** @publicApi */
export const IDENTITY_KINDS: readonly IdentityKind[] = [
  'mini_program',
  'official_account',
  'website',
  'mobile_app',
];

/**
 * Who WeChat says logged in: the openid is per app; the unionid is the same person across every app
 * bound to one WeChat Open Platform account, and only present for such apps.
 * @publicApi
 */
export interface WechatIdentity {
  appid: string;
  openid: string;
  unionid?: string;
  /** Default `mini_program`. */
  kind?: IdentityKind;
}

/**
 * A phone number WeChat verified for this login (the phone-number button's code, exchanged in the
 * same request): evidence that the person who owns it is the one logging in.
 * @publicApi
 */
export interface VerifiedPhone {
  /** As WeChat gives it, with its country code if not Chinese (e.g. `13800138000`). */
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

/**
 * What a login proves besides its identity, for the linking rules: a verified phone number, and
 * whether the person logging in asks for their accounts to be merged when the evidence points at two.
 * @publicApi
 */
export interface LoginEvidence {
  phone?: VerifiedPhone;
  /** Merge instead of answering 409 ACCOUNT_CONFLICT: the login itself proves both identities. */
  merge?: boolean;
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
