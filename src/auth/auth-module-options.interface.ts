import type { Cluster, Redis } from 'ioredis';
import type { WechatModuleOptions } from '../wechat/wechat-options.interface.js';
import type { AuthEventListener } from './events/auth-event.listener.js';
import type { AuthOAuthOptions } from './oauth/oauth-options.js';
import type { WechatCodeExchanger } from './ports/code-exchanger.port.js';
import type { AuthUsersPort } from './ports/users.port.js';
import type { SessionStore } from './session/session.store.js';

/**
 * Options of {@link AuthModule}. The module never reads `process.env`: everything comes in here,
 * and is validated when the module starts.
 * @publicApi
 */
export interface AuthModuleOptions {
  /** Redis (or Cluster) holding sessions, session_keys and the login-code ledger. */
  redis?: Redis | Cluster;
  /** A custom session store instead of Redis; login-code coordination then stays in-process. */
  sessionStore?: SessionStore;
  /** Explicitly allow the in-process store (development, single process). Ignored when a store is given. */
  inMemoryStore?: boolean;
  /** Prefix of every Redis key the module writes. Default `wxauth:`; must match between services sharing sessions. */
  keyPrefix?: string;
  /** Secret (≥ 32 characters) from which the key sealing session_keys at rest is derived. Required. */
  sessionKeySecret: string;
  /** Sliding idle expiry in seconds. Default 7 days. */
  idleTtlSeconds?: number;
  /** A session's expiry is extended at most once per this many seconds. Default 1 hour. */
  touchIntervalSeconds?: number;
  /** Absolute cap from login in seconds. Default 30 days. */
  absoluteTtlSeconds?: number;
  /** How long a repeated login code gets the first exchange's outcome, in seconds (≤ 30). Default 30. */
  loginReplayWindowSeconds?: number;
  /**
   * Live sessions (devices) per user, 1 to 100. Default 10. A login beyond it revokes the user's
   * oldest sessions; it also bounds the session listing and the snapshot fan-out.
   */
  maxSessionsPerUser?: number;
  /**
   * The host app's users, for the login route: `UsersService` from `weapp-auth/users` (TypeORM), or
   * any object implementing {@link AuthUsersPort}.
   */
  users?: AuthUsersPort;
  /** WeChat apps and client settings, for the login route: the module then builds and closes its own client. */
  wechat?: WechatModuleOptions;
  /**
   * Or an already-built client (e.g. `WechatClient` from your own `WechatModule`), shared with the
   * rest of the app; the module does not close it.
   */
  wechatClient?: WechatCodeExchanger;
  /**
   * Told synchronously of each successful login, logout and session revocation (for an audit trail);
   * see {@link AuthEventListener}. Default: none.
   */
  events?: AuthEventListener;
  /**
   * Bind every guarded route to the sessions of these apps (appids): a session issued in another app
   * gets 403 `SESSION_WRONG_APP`. A route's or controller's `@ForApps()` replaces this list. Default:
   * sessions of any app pass.
   */
  sessionApps?: readonly string[];
  /**
   * The web login (Official Account pages, website QR login) at `/auth/oauth/{appid}/*`: the final
   * redirect's allow-list and where WeChat's pages are. Needs the `oauthRoutes: true` extra, and
   * apps of kind `official_account` or `website` in `wechat.apps` (or a `wechatClient` implementing
   * `WechatOAuthClient`). See docs/web-login.md.
   */
  oauth?: AuthOAuthOptions;
}

/** Extras of `forRoot`/`forRootAsync`, decided when the module is declared. @publicApi */
export interface AuthModuleExtras {
  /** Register the module globally. Default false. */
  isGlobal?: boolean;
  /**
   * Include the login and session routes (`/auth/*`). Default true. Set false in services that only
   * verify tokens issued elsewhere: they then need no users port, no database and no WeChat credentials.
   */
  routes?: boolean;
  /** Guard every route of the app (opt out with `@Public()`). Default true. */
  globalGuard?: boolean;
  /** Include the web login routes (`/auth/oauth/{appid}/authorize` and `…/callback`); needs `oauth`. Default false. */
  oauthRoutes?: boolean;
  /**
   * Add `POST /auth/login/cloud-hosting`: a login by the identity WeChat Cloud Hosting injects into
   * `wx.cloud.callContainer` requests (`X-WX-APPID`, `X-WX-OPENID`, `X-WX-UNIONID`, `X-WX-SOURCE`), no
   * `wx.login` code. Default false: the route does not exist and those headers are never read. Only
   * for a service reachable exclusively through Cloud Hosting, which overwrites the headers; where a
   * client can reach the port directly it can send any of them. Needs `routes`.
   */
  cloudHosting?: boolean;
}
