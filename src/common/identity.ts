// The identity vocabulary shared by the auth module's users port (auth/ports/users.port.ts) and its
// TypeORM implementation (user/): both import it from here, so neither depends on the other.

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

/** A user merged into another, and the apps it had sessions in. @publicApi */
export interface MergedUser {
  userId: number;
  appids: string[];
}
