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

/** The caller's profile, as the server returns it. @publicApi */
export interface UserProfile {
  id: number;
  nickname: string | null;
  avatarUrl: string | null;
  /** 0 unknown, 1 male, 2 female. */
  gender: number;
  phoneNumber: string | null;
  countryCode: string | null;
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

/** Fields `updateProfile` may change. @publicApi */
export interface ProfileUpdate {
  nickname?: string;
  avatarUrl?: string;
  gender?: 0 | 1 | 2;
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
