import type { LoggerService } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import type { WechatApiName, WechatErrorKind } from './wechat-api.error.js';

/**
 * What kind of WeChat app an appid is (docs/wechat-api-notes.md §14): a mini program (jscode2session and
 * the `wxa/*` APIs), an Official Account (web pages inside WeChat, OAuth `snsapi_base`/`snsapi_userinfo`)
 * or a website app (QR login, `snsapi_login`). Each has its own appid and AppSecret.
 * @publicApi
 */
export type WechatAppKind = 'mini_program' | 'official_account' | 'website';

/** @publicApi */
export const WECHAT_APP_KINDS: readonly WechatAppKind[] = ['mini_program', 'official_account', 'website'];

/** One app's credentials. @publicApi */
export interface WechatAppCredentials {
  /** `wx` + 16 lowercase hex characters. */
  appid: string;
  /** The AppSecret. Never logged, never put in an error. */
  secret: string;
  /**
   * Default `mini_program`. Mini-program calls refuse an app of another kind, and the OAuth calls
   * (`oauthAccessToken`) refuse a mini program, as MISCONFIGURED without a network call.
   */
  kind?: WechatAppKind;
}

/**
 * One HTTP attempt to a WeChat API, as reported to {@link WechatModuleOptions.observeCall}. A retried
 * call is reported once per attempt. @publicApi
 */
export interface WechatCallObservation {
  api: WechatApiName;
  /** WeChat's errcode when it answered with a JSON body: 0 for success. Undefined for a `failure`. */
  errcode?: number;
  /** Set when there is no errcode to report: `TIMEOUT`, `UNREACHABLE` or `MALFORMED` (non-200, non-JSON, …). */
  failure?: WechatErrorKind;
  /** From sending the request to having the whole answer (or giving up), in milliseconds. */
  durationMs: number;
}

/**
 * Options for {@link WechatModule.forRoot} / `forRootAsync`, also accepted by `new WechatClient(options)`.
 * Validated at startup; a bad value fails with a message naming the field (never its value).
 *
 * @publicApi
 */
export interface WechatModuleOptions {
  /**
   * One or more apps. Every client call names its appid; the first mini program is `defaultAppid`.
   * Official Account and website apps (`kind`) serve only the OAuth calls.
   */
  apps: WechatAppCredentials[];
  /** Default `https://api.weixin.qq.com`. Point it at the simulator in development and tests. */
  baseUrl?: string;
  /** Total time for one HTTP attempt (connect, headers and body), in ms. Default 5000. */
  timeoutMs?: number;
  /** TCP/TLS connect timeout in ms. Default: `timeoutMs`. */
  connectTimeoutMs?: number;
  /**
   * Shared access-token cache and refresh lock, so several instances refresh once. The client does not
   * close it. Without it the cache is per process.
   */
  redis?: Redis | Cluster;
  /** Prefix for the Redis keys. Default `'wxauth:'`. */
  redisKeyPrefix?: string;
  /** Receives retry / refresh / Redis-fallback messages. Default: a Nest `Logger` with context `WechatClient`. */
  logger?: LoggerService;
  /**
   * Called once per HTTP attempt with its API, errcode (or failure kind) and duration, e.g. to feed
   * metrics. Runs synchronously on the call's path, so keep it cheap; whatever it throws is ignored.
   */
  observeCall?: (observation: WechatCallObservation) => void;
}
