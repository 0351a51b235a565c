import type { VerifiedPhone } from './users.port.js';

/** What WeChat's jscode2session answers for a login code. @publicApi */
export interface WechatCodeSession {
  openid: string;
  /** Stays on the server: the login seals it before storing it. */
  sessionKey: string;
  unionid?: string;
}

/**
 * What the login needs from a WeChat API client. `WechatClient` (`weapp-auth/wechat`) is one; a
 * stand-in for tests or another transport can be passed as `AuthModuleOptions.wechatClient`.
 * @publicApi
 */
export interface WechatCodeExchanger {
  /** The appid a login without one is for. */
  readonly defaultAppid: string;
  /** The longest one `code2Session` call may take, in ms; peers waiting on an exchange size their wait from it. */
  readonly code2SessionTimeoutMs: number;
  hasApp(appid: string): boolean;
  /**
   * Exchanges a `wx.login` code, once: it must never retry (a code is single-use). Fails with a
   * `WechatApiError` (`weapp-auth/wechat`), whose `kind` decides the HTTP answer.
   */
  code2Session(appid: string, code: string): Promise<WechatCodeSession>;
  /**
   * The phone number behind a phone-number button code (`getuserphonenumber`), bound to `openid`.
   * Needed only for the phone-number login (`phoneCode` in `POST /auth/login`); without it that
   * login answers 400.
   */
  getPhoneNumber?(appid: string, phoneCode: string, openid: string): Promise<VerifiedPhone>;
}
