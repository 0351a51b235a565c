/// <reference types="miniprogram-api-typings" />

/**
 * The part of the mini-program `wx` object the client uses. The real global `wx` satisfies it; tests
 * and the terminal demo pass a Node implementation instead.
 *
 * @publicApi
 */
export interface WxApi {
  login(option: WechatMiniprogram.LoginOption): unknown;
  checkSession(option: WechatMiniprogram.CheckSessionOption): unknown;
  request(option: WechatMiniprogram.RequestOption): unknown;
  uploadFile(option: WechatMiniprogram.UploadFileOption): unknown;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
  /** `wx.getUserProfile` (base library ≥ 2.10.4); {@link AuthClient.saveWechatUserInfo} prefers it. */
  getUserProfile?(option: WechatMiniprogram.GetUserProfileOption): unknown;
  /** `wx.getUserInfo`: the fallback when there is no `getUserProfile`. */
  getUserInfo?(option: WechatMiniprogram.GetUserInfoOption): unknown;
  /** The privacy APIs (base library ≥ 2.32.3); absent before, when WeChat asks for no consent. */
  onNeedPrivacyAuthorization?(listener: WxPrivacyListener): unknown;
  requirePrivacyAuthorize?(option: WechatMiniprogram.RequirePrivacyAuthorizeOption): unknown;
  getPrivacySetting?(option: WechatMiniprogram.GetPrivacySettingOption): unknown;
  openPrivacyContract?(option: WechatMiniprogram.OpenPrivacyContractOption): unknown;
}

/**
 * What `wx.onNeedPrivacyAuthorization` calls: `resolve` releases the privacy API or component that is
 * waiting, `eventInfo.referrer` names it (`"getUserProfile"`, `"button.getPhoneNumber"`, …). The typings
 * in miniprogram-api-typings 5.2 declare the listener as `(res: GeneralCallbackResult) => void`; this is
 * the shape the documentation gives
 * (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/privacy/wx.onNeedPrivacyAuthorization.html).
 * @publicApi
 */
export type WxPrivacyListener = (
  resolve: (result: WxPrivacyResolution) => void,
  eventInfo: { referrer: string },
) => void;

/**
 * Arguments of the listener's `resolve`. `agree` must name the `<button open-type="agreePrivacyAuthorization">`
 * the user tapped: the base library checks that this button really was tapped.
 * @publicApi
 */
export type WxPrivacyResolution =
  { event: 'agree'; buttonId: string } | { event: 'disagree' } | { event: 'exposureAuthorization' };

/** The user's answer to the app's privacy popup. @publicApi */
export type PrivacyDecision = { event: 'agree'; buttonId: string } | { event: 'disagree' };

/** What {@link PrivacyConsentHandler} is asked. @publicApi */
export interface PrivacyConsentRequest {
  /** The privacy API or component waiting for consent, e.g. `"button.getPhoneNumber"`. */
  referrer: string;
  /** Tells WeChat the popup is on screen (`resolve({ event: 'exposureAuthorization' })`); optional. */
  reportExposure(): void;
}

/**
 * Shows the app's privacy popup and settles with the user's answer. A rejection counts as `disagree`.
 * @publicApi
 */
export type PrivacyConsentHandler = (
  request: PrivacyConsentRequest,
) => PrivacyDecision | Promise<PrivacyDecision>;

/** `wx.getPrivacySetting`'s answer. @publicApi */
export interface PrivacySetting {
  /** The user still has to agree to (a newer version of) the app's privacy guide. */
  needAuthorization: boolean;
  /** The guide's title, e.g. `《示例小程序隐私保护指引》`; empty without the API. */
  privacyContractName: string;
}

/** @publicApi */
export interface AuthClientOptions {
  /** The weapp-auth server, e.g. `https://api.example.com` (no trailing slash needed). */
  baseUrl: string;
  /** Sent with every login; needed only when the server serves several mini programs. */
  appid?: string;
  /** Storage key of the saved session; default `'weapp-auth:session'`. */
  storageKey?: string;
  /** The `wx` object; default the mini program's global `wx`. */
  wx?: WxApi;
  /** Per-call timeout in milliseconds for `wx.request`, `wx.uploadFile` and `wx.login`; default: WeChat's. */
  timeout?: number;
  /** How often a 503/429 with `Retry-After` (or a spent login code) is retried per call; default 1. */
  maxRetries?: number;
  /** Longest `Retry-After`, in seconds, the client waits out by itself; longer ones surface at once. Default 5. */
  maxRetryAfter?: number;
}

/** Options of {@link AuthClient.login} and {@link AuthClient.loginWithPhoneNumber}. @publicApi */
export interface LoginOptions {
  /**
   * Join the accounts the login points at instead of failing with `ACCOUNT_CONFLICT` (409). Only after
   * the user confirmed that the accounts the conflict listed are theirs.
   */
  merge?: boolean;
}

/** The caller's profile, as the server returns it. @publicApi */
export interface UserProfile {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  /** 0 unknown, 1 male, 2 female. */
  gender: number;
  phoneNumber: string | null;
  countryCode: string | null;
  /** From WeChat's userInfo (`updateProfile(userInfo)`); WeChat has sent empty strings since 2021-10. */
  province: string | null;
  city: string | null;
  country: string | null;
  /** userInfo's `language`, e.g. `zh_CN`. */
  language: string | null;
  createdAt: string;
}

/** `POST /auth/login`'s answer; also what the client keeps in storage. @publicApi */
export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  /** When the session ends if unused; it slides with use, so the server, not this date, decides. */
  expiresAt: string;
  user: UserProfile;
}

/** One of the user's sessions (devices), from `GET /auth/sessions`. @publicApi */
export interface SessionSummary {
  id: string;
  /** The session this client is using. */
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string | null;
}

/**
 * Fields `updateProfile` may change: ours, or a userInfo object exactly as `wx.getUserProfile` /
 * `wx.getUserInfo` hand it over (`nickName`, WeChat's spelling, is accepted as `nickname`). The server
 * ignores WeChat's anonymous placeholders (`微信用户`, the grey avatar, empty strings).
 * @publicApi
 */
export interface ProfileUpdate {
  nickname?: string;
  /** WeChat's spelling of `nickname`. */
  nickName?: string;
  /** An https URL, or null to remove the avatar. */
  avatarUrl?: string | null;
  gender?: 0 | 1 | 2;
  province?: string;
  city?: string;
  country?: string;
  language?: string;
}

/** Options of {@link AuthClient.saveWechatUserInfo}. @publicApi */
export interface WechatUserInfoOptions {
  /** Why the app wants the profile (≤ 30 characters), shown in `wx.getUserProfile`'s sheet. */
  desc?: string;
  /** Language of the region names; default WeChat's. */
  lang?: 'en' | 'zh_CN' | 'zh_TW';
}

/**
 * `GET /users/me/export`: everything the server stores about the caller, never a token, token hash or
 * WeChat session_key.
 * @publicApi
 */
export interface AccountExport {
  exportedAt: string;
  /** As `GET /users/me` serves it, read from the database. */
  profile: UserProfile;
  phone: { phoneNumber: string | null; purePhoneNumber: string | null; countryCode: string | null };
  /** The WeChat identifiers stored for the user (theirs to see; no other answer carries them). */
  wechat: { appid: string; openid: string; unionid: string | null };
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  /** Live sessions, newest first, with their devices (user agent) and times. */
  sessions: SessionSummary[];
}

/** The methods `wx.request` supports (it has no PATCH). @publicApi */
export type HttpMethod = NonNullable<WechatMiniprogram.RequestOption['method']>;

/** @publicApi */
export interface AuthRequestOptions {
  /** Path on the server, starting with `/`, e.g. `/users/me`. */
  path: string;
  /** Default `GET`. */
  method?: HttpMethod;
  /** JSON body, or query parameters for `GET` (as `wx.request` sends them). */
  data?: WechatMiniprogram.IAnyObject | string;
  header?: Record<string, string>;
  /** Send the session token and log in again when it is rejected; default true. */
  auth?: boolean;
  /** Overrides the client's `timeout` for this call. */
  timeout?: number;
}

/**
 * The `bindgetphonenumber` event of `<button open-type="getPhoneNumber">`, or anything with the same
 * `detail.code`.
 * @publicApi
 */
export type PhoneNumberEvent =
  WechatMiniprogram.ButtonGetPhoneNumber | { detail: { code?: string; errMsg?: string } };
