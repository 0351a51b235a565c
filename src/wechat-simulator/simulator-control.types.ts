/**
 * Shapes of the test-control API (`/__sim/*`), shared by the server, its programmatic methods and
 * `SimulatorControlClient`. Times are unix milliseconds on the simulator clock.
 *
 * @publicApi
 */
import type { WechatApiName } from './wechat-simulator.options.js';

export type { SimulatorApp as RegisterAppInput } from './wechat-simulator.options.js';

/** Stands in for `wx.login`. */
export interface MintLoginCodeInput {
  appid: string;
  /** Existing or new user; default: a new random 28-char `o…` openid. */
  openid?: string;
  /**
   * Instead of `openid`: a test-chosen person id. The openid is derived from it per app and the unionid
   * per Open Platform account, so the same person in a mini program and an Official Account shares it.
   */
  person?: string;
  /** Only for apps with an `openPlatformId`; default derived from it. Fixed once the user exists. */
  unionid?: string;
  /** Sets the user's risk flag; blocked users get 40226 from jscode2session. Unchanged when omitted. */
  riskBlocked?: boolean;
}

export interface MintedLoginCode {
  code: string;
  openid: string;
  unionid?: string;
}

/** Stands in for the getPhoneNumber button. */
export interface MintPhoneCodeInput {
  appid: string;
  openid: string;
  /** The pure number, without country code. */
  phoneNumber: string;
  /** Digits only; default `"86"`. */
  countryCode?: string;
}

export interface MintedPhoneCode {
  code: string;
}

/** Encrypts `payload` as open data with the user's current session_key. */
export interface EncryptForClientInput {
  appid: string;
  openid: string;
  payload: Record<string, unknown>;
}

export interface SessionKeyInfo {
  sessionKey: string;
  expiresAt: number;
}

/**
 * `errcode`: answer errcode N with WeChat's errmsg; `delay`: wait `delayMs`, then answer normally;
 * `hang`: never answer; `http502`/`http504`: gateway error with an HTML body; `truncated`: the
 * normal answer cut in half (side effects happen); `reset`: destroy the socket before any work;
 * `control-chars`: the normal answer with raw control characters inside a string value.
 */
export type FaultType =
  'errcode' | 'delay' | 'hang' | 'http502' | 'http504' | 'truncated' | 'reset' | 'control-chars';

export interface FaultSpec {
  /** Endpoint name (`jscode2session`, `token`, …) or `*` for every WeChat endpoint. */
  api: WechatApiName | '*';
  type: FaultType;
  /** Required for `type: 'errcode'`. */
  errcode?: number;
  /** Overrides WeChat's text for the errcode (the rid is still appended). */
  errmsg?: string;
  /** How many matching calls it hits; default 1. `'unlimited'` until cleared. */
  times?: number | 'unlimited';
  /** Chance (0..1) that a matching call is hit; default 1. Misses do not use up `times`. */
  probability?: number;
  /** Only calls about this user (query/body openid, or the user a code belongs to). */
  openid?: string;
  /** Only calls for this app (query/body appid, or the app of the access_token / code). */
  appid?: string;
  /** For `type: 'delay'`. */
  delayMs?: number;
  /** jscode2session errcode faults: whether the code counts as used (default false). */
  consumeCode?: boolean;
}

export interface InjectedFault {
  id: string;
}

/** One WeChat API call as the simulator saw it (control calls are not logged). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body, the raw text when it is not JSON, or null when empty. */
  body: unknown;
  /** HTTP status sent; null while pending or when the socket was hung/reset. */
  status: number | null;
  latencyMs: number | null;
  /** Simulator-clock time the request arrived. */
  at: number;
  /** Parsed JSON answer (raw text when not JSON); null when nothing was answered. */
  response: unknown;
  /** The fault that hit this call, if any. */
  fault?: string;
}

export interface ClockState {
  now: number;
}

/** The web OAuth scopes: Official Account pages (`snsapi_base`, `snsapi_userinfo`) and website QR login. */
export type OAuthScope = 'snsapi_base' | 'snsapi_userinfo' | 'snsapi_login';

/**
 * Who "taps allow" on the simulator's authorize page. Pick a chosen `openid`, a `person` (see
 * `MintLoginCodeInput.person`) or neither (a new user). Profile fields are what `sns/userinfo` returns;
 * given ones replace the stored ones, missing ones keep them (defaults for a new user).
 */
export interface OAuthUserInput {
  openid?: string;
  person?: string;
  /** Only for apps with an `openPlatformId`; fixed once the user exists. */
  unionid?: string;
  nickname?: string;
  /** 0 unknown, 1 male, 2 female (WeChat now answers 0 for everyone). */
  sex?: 0 | 1 | 2;
  province?: string;
  city?: string;
  country?: string;
  headimgurl?: string;
  /**
   * Next-user only: the page is a snapshot (preview) page, so the token answer carries `is_snapshotuser: 1`.
   * Holds for that one authorize page.
   */
  snapshot?: boolean;
}

/** `POST /__sim/oauth/next-user`: the user the next authorize page of `appid` logs in. */
export interface NextOAuthUserInput extends OAuthUserInput {
  appid: string;
}

export interface OAuthUserAnswer {
  openid: string;
  unionid?: string;
}

/** What `SimulatorControlClient.oauthAuthorize` does in place of the user's browser. */
export interface OAuthAuthorizeInput {
  appid: string;
  redirectUri: string;
  /** `snsapi_login` uses `/connect/qrconnect`, the others `/connect/oauth2/authorize`. */
  scope: OAuthScope;
  state?: string;
  /** A person id (sent as `sim_user`), a user to queue first, or nothing (a new user). */
  user?: string | OAuthUserInput;
}

export interface OAuthAuthorizeResult {
  code: string;
  state: string;
  /** The full `Location` the page redirected to. */
  location: string;
}
