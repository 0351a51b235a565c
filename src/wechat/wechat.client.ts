import { Logger, type LoggerService, type OnApplicationShutdown } from '@nestjs/common';
import { AccessTokenManager, type FetchedAccessToken } from './access-token.manager.js';
import type { AccessTokenStore } from './access-token.store.js';
import { MemoryAccessTokenStore } from './memory-access-token.store.js';
import { RedisAccessTokenStore } from './redis-access-token.store.js';
import { WechatApiError, type WechatApiName } from './wechat-api.error.js';
import { sessionKeySignature } from './wechat.crypto.js';
import { WechatHttp, type WechatHttpRequest } from './wechat.http.js';
import type { WechatAppCredentials, WechatAppKind, WechatModuleOptions } from './wechat-options.interface.js';
import { resolveWechatOptions, type ResolvedWechatOptions } from './wechat-options.validation.js';
import { requireNumber, requireObject, requireString, type WechatPayload } from './wechat-response.parser.js';

/** code2Session result. Keep `sessionKey` on the server; never send it to the client. @publicApi */
export interface WechatSession {
  openid: string;
  sessionKey: string;
  /** Present when the mini program is bound to a WeChat Open Platform account. */
  unionid?: string;
}

/** getPhoneNumber result. @publicApi */
export interface WechatPhoneNumber {
  /** With country code for non-mainland numbers. */
  phoneNumber: string;
  purePhoneNumber: string;
  /** Always a string (WeChat sends `"86"`; its doc example shows a number). */
  countryCode: string;
}

/** msg_sec_check v2 verdict. Decide on `suggest`; errcode is 0 even for risky content. @publicApi */
export interface WechatContentCheck {
  suggest: 'pass' | 'review' | 'risky';
  /** 100 = normal; 10001 ad, 20001 politics, 20002 porn, 20003 abuse, 20006 illegal, 20008 fraud, … */
  label: number;
}

/**
 * `sns/oauth2/access_token` result (docs/wechat-api-notes.md §14.2): who authorized an Official Account
 * or website app. `accessToken` is the user's token for `sns/userinfo`: it is not enumerable, so
 * logging or serialising this object leaves it out. @publicApi
 */
export interface WechatOAuthToken {
  openid: string;
  /** The Open Platform unionid, when WeChat sends it here (`snsapi_userinfo`/`snsapi_login`; see §14.5). */
  unionid?: string;
  /** The scope the user granted, e.g. `snsapi_base`. */
  scope: string;
  /** Not enumerable: never logged, never serialised. */
  readonly accessToken: string;
  expiresInSeconds: number;
  /**
   * `is_snapshotuser: 1`: a virtual user of a snapshot page (§14.1), whose openid is no real person's.
   */
  snapshotUser: boolean;
}

/** `sns/userinfo` result (§14.4). @publicApi */
export interface WechatOAuthUserInfo {
  openid: string;
  unionid?: string;
  nickname: string;
  /** 0 unknown, 1 male, 2 female. */
  sex: number;
  province: string;
  city: string;
  country: string;
  /** Empty without an avatar; stops working when the user changes it. */
  headimgurl: string;
}

/** The calls each kind of app may make: a mini program's calls fail for an Official Account, and back. */
const APP_KINDS_BY_API: Partial<Record<WechatApiName, readonly WechatAppKind[]>> = {
  jscode2session: ['mini_program'],
  checksession: ['mini_program'],
  resetusersessionkey: ['mini_program'],
  getuserphonenumber: ['mini_program'],
  msg_sec_check: ['mini_program'],
  'sns/oauth2/access_token': ['official_account', 'website'],
};

const LOG_CONTEXT = 'WechatClient';
const TOKEN_INVALID_ERRCODES = new Set([40001, 40014, 42001]);
const SUGGESTIONS = new Set(['pass', 'review', 'risky']);
const BUSY_RETRY_DELAY_MS = 200;

function isTokenRejection(error: unknown): error is WechatApiError {
  return (
    error instanceof WechatApiError &&
    error.errcode !== undefined &&
    TOKEN_INVALID_ERRCODES.has(error.errcode)
  );
}

/**
 * Client for the WeChat Mini Program server APIs a login backend needs. Every method names its appid; an
 * appid not in the options fails as MISCONFIGURED without a network call.
 *
 * Retries, per docs/wechat-api-notes.md §1/§11: jscode2session and getuserphonenumber consume a single-use
 * code and are never retried on -1; checksession, msg_sec_check and the token fetch retry once on -1 after
 * ~200 ms; every token-protected call refreshes the token and retries once on 40001/40014/42001.
 *
 * Errors are {@link WechatApiError}s whose message, fields and logs never contain the AppSecret, a code,
 * a session_key or an access_token.
 *
 * @publicApi
 */
export class WechatClient implements OnApplicationShutdown {
  private readonly options: ResolvedWechatOptions;
  private readonly http: WechatHttp;
  private readonly tokens: AccessTokenManager;
  private readonly logger: LoggerService;

  constructor(options: WechatModuleOptions) {
    this.options = resolveWechatOptions(options);
    this.logger = this.options.logger ?? new Logger(LOG_CONTEXT);
    this.http = new WechatHttp(this.options);
    const store: AccessTokenStore = this.options.redis
      ? new RedisAccessTokenStore(this.options.redis, this.options.redisKeyPrefix)
      : new MemoryAccessTokenStore();
    this.tokens = new AccessTokenManager(store, (appid) => this.fetchStableToken(appid), {
      // Long enough for one fetch plus its -1 retry; a crashed owner's lock expires on its own.
      lockTtlMs: 2 * this.options.timeoutMs + 1000,
      lockWaitMs: this.options.timeoutMs,
      logger: this.logger,
    });
  }

  /** The first configured app. */
  get defaultAppid(): string {
    return this.options.defaultAppid;
  }

  /**
   * The longest one `code2Session` call can take: it is a single attempt (never retried), bounded by
   * `timeoutMs` from connect to the last byte. Callers waiting on another instance's exchange size
   * their patience from this.
   */
  get code2SessionTimeoutMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * One authorization-code exchange, the shape both logins share (jscode2session names the code
   * `js_code`, sns/oauth2 `code`): the app's secret, the code, `grant_type=authorization_code`; the
   * secret and the code kept out of every log line and error.
   */
  private exchangeCode(
    api: 'jscode2session' | 'sns/oauth2/access_token',
    appid: string,
    path: string,
    codeParameter: 'js_code' | 'code',
    code: string,
  ): Promise<WechatPayload> {
    const app = this.app(api, appid);
    if (typeof code !== 'string' || code.length === 0) {
      throw new WechatApiError({ api, kind: 'CODE_INVALID', detail: 'empty code' });
    }
    return this.http.call({
      api,
      method: 'GET',
      path,
      query: { appid, secret: app.secret, [codeParameter]: code, grant_type: 'authorization_code' },
      secrets: [app.secret, code],
    });
  }

  /** Whether `appid` is one of the configured mini programs (the apps `code2Session` serves). */
  hasApp(appid: string): boolean {
    return this.appKind(appid) === 'mini_program';
  }

  /** The kind of a configured app, or undefined for an appid not in the options. */
  appKind(appid: string): WechatAppKind | undefined {
    const app = typeof appid === 'string' ? this.options.apps.get(appid) : undefined;
    return app ? (app.kind ?? 'mini_program') : undefined;
  }

  /**
   * Exchanges a `wx.login` code (GET /sns/jscode2session). Never retried: the code is single-use and a -1
   * may or may not have consumed it; the mini program should call `wx.login` again.
   */
  async code2Session(appid: string, code: string): Promise<WechatSession> {
    const api = 'jscode2session';
    const payload = await this.exchangeCode(api, appid, '/sns/jscode2session', 'js_code', code);
    const session: WechatSession = {
      openid: requireString(api, payload, 'openid'),
      sessionKey: requireString(api, payload, 'session_key'),
    };
    if (typeof payload.unionid === 'string' && payload.unionid.length > 0) session.unionid = payload.unionid;
    return session;
  }

  /**
   * Whether `sessionKey` is still the user's current session_key (GET /wxa/checksession). 87009 (expired,
   * rotated or wrong key) → false.
   */
  async checkSessionKey(appid: string, openid: string, sessionKey: string): Promise<boolean> {
    try {
      await this.signedSessionCall('checksession', appid, openid, sessionKey, { retryBusy: true });
      return true;
    } catch (error) {
      if (error instanceof WechatApiError && error.kind === 'SIGNATURE_INVALID') return false;
      throw error;
    }
  }

  /**
   * Replaces the user's session_key (GET /wxa/resetusersessionkey) and returns the new one, which inherits
   * the old expiry. Not retried on -1: the first attempt may have rotated the key already, after which a
   * retry signed with the old key can only fail.
   */
  async resetUserSessionKey(appid: string, openid: string, sessionKey: string): Promise<string> {
    const payload = await this.signedSessionCall('resetusersessionkey', appid, openid, sessionKey, {
      retryBusy: false,
    });
    return requireString('resetusersessionkey', payload, 'session_key');
  }

  /**
   * GET /wxa/<api> signed with the session_key (checksession and resetusersessionkey take the same
   * query): signature = HMAC-SHA256 keyed with the session_key text over "", sig_method hmac_sha256.
   */
  private signedSessionCall(
    api: 'checksession' | 'resetusersessionkey',
    appid: string,
    openid: string,
    sessionKey: string,
    options: { retryBusy: boolean },
  ): Promise<WechatPayload> {
    this.app(api, appid);
    const signature = sessionKeySignature(sessionKey);
    return this.withAccessToken(api, appid, options, (token) =>
      this.http.call({
        api,
        method: 'GET',
        path: `/wxa/${api}`,
        query: { access_token: token, openid, signature, sig_method: 'hmac_sha256' },
        secrets: [token, sessionKey, signature],
      }),
    );
  }

  /**
   * Exchanges a phone-number button code (POST /wxa/business/getuserphonenumber). The code is single-use,
   * so -1 is not retried. The token-refresh retry on 40001/42001 is safe: WeChat checks the access_token
   * before it looks at (and consumes) the code.
   */
  async getPhoneNumber(appid: string, phoneCode: string, openid: string): Promise<WechatPhoneNumber> {
    const api = 'getuserphonenumber';
    this.app(api, appid);
    if (typeof phoneCode !== 'string' || phoneCode.length === 0) {
      throw new WechatApiError({ api, kind: 'CODE_INVALID', detail: 'empty code' });
    }
    const payload = await this.withAccessToken(api, appid, { retryBusy: false }, (token) =>
      this.http.call({
        api,
        method: 'POST',
        path: '/wxa/business/getuserphonenumber',
        query: { access_token: token },
        body: { code: phoneCode, openid },
        secrets: [token, phoneCode],
      }),
    );
    const info = requireObject(api, payload, 'phone_info');
    const watermark = requireObject(api, info, 'watermark');
    if (watermark.appid !== appid) {
      throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'watermark appid mismatch' });
    }
    const countryCode = info.countryCode;
    if (typeof countryCode !== 'string' && typeof countryCode !== 'number') {
      throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'missing countryCode' });
    }
    return {
      phoneNumber: requireString(api, info, 'phoneNumber'),
      purePhoneNumber: requireString(api, info, 'purePhoneNumber'),
      countryCode: String(countryCode),
    };
  }

  /**
   * Screens user text such as a nickname (POST /wxa/msg_sec_check, v2, scene 1 = profile). The openid must
   * have used the mini program in the last 2 hours.
   */
  async msgSecCheck(appid: string, openid: string, content: string): Promise<WechatContentCheck> {
    const api = 'msg_sec_check';
    this.app(api, appid);
    const payload = await this.withAccessToken(api, appid, { retryBusy: true }, (token) =>
      this.http.call({
        api,
        method: 'POST',
        path: '/wxa/msg_sec_check',
        query: { access_token: token },
        body: { content, version: 2, scene: 1, openid },
        secrets: [token],
      }),
    );
    const result = requireObject(api, payload, 'result');
    const suggest = result.suggest;
    if (typeof suggest !== 'string' || !SUGGESTIONS.has(suggest)) {
      throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'missing result.suggest' });
    }
    return { suggest: suggest as WechatContentCheck['suggest'], label: requireNumber(api, result, 'label') };
  }

  /**
   * A valid access_token for `appid` from POST /cgi-bin/stable_token (normal mode), cached until 300 s
   * before expiry and refreshed once per appid across concurrent callers and instances.
   */
  async getAccessToken(appid: string): Promise<string> {
    this.app('stable_token', appid);
    return this.tokens.get(appid);
  }

  /**
   * Exchanges an Official Account or website OAuth code (GET /sns/oauth2/access_token, §14.2). Never
   * retried: the code is single use (40163 on a second exchange), like a login code.
   */
  async oauthAccessToken(appid: string, code: string): Promise<WechatOAuthToken> {
    const api = 'sns/oauth2/access_token';
    const payload = await this.exchangeCode(api, appid, '/sns/oauth2/access_token', 'code', code);
    const token: WechatOAuthToken = {
      openid: requireString(api, payload, 'openid'),
      scope: typeof payload.scope === 'string' ? payload.scope : '',
      expiresInSeconds: requireNumber(api, payload, 'expires_in'),
      snapshotUser: payload.is_snapshotuser === 1 || payload.is_snapshotuser === '1',
      accessToken: '',
    };
    if (typeof payload.unionid === 'string' && payload.unionid.length > 0) token.unionid = payload.unionid;
    Object.defineProperty(token, 'accessToken', {
      value: requireString(api, payload, 'access_token'),
      enumerable: false,
    });
    return token;
  }

  /**
   * The profile behind a user access token of scope `snsapi_userinfo` or `snsapi_login`
   * (GET /sns/userinfo, §14.4); a `snsapi_base` token gets 48001 (MISCONFIGURED). Idempotent, so a -1
   * is retried once.
   */
  async oauthUserInfo(accessToken: string, openid: string): Promise<WechatOAuthUserInfo> {
    const api = 'sns/userinfo';
    let payload: WechatPayload;
    try {
      payload = await this.retryBusyOnce(api, () =>
        this.http.call({
          api,
          method: 'GET',
          path: '/sns/userinfo',
          query: { access_token: accessToken, openid, lang: 'zh_CN' },
          secrets: [accessToken],
        }),
      );
    } catch (error) {
      // A user token we were just given that WeChat refuses, or an openid that is not the token's:
      // our bug or WeChat's, never the user's; and never a reason to refresh the app's access token.
      if (error instanceof WechatApiError && error.errcode !== undefined && error.kind !== 'BUSY') {
        if ([40001, 40003, 41001, 42001].includes(error.errcode)) {
          const { errcode, errmsg, rid } = error;
          throw new WechatApiError({ api, kind: 'MISCONFIGURED', errcode, errmsg, rid });
        }
      }
      throw error;
    }
    const text = (field: string): string => (typeof payload[field] === 'string' ? payload[field] : '');
    const info: WechatOAuthUserInfo = {
      openid: requireString(api, payload, 'openid'),
      nickname: text('nickname'),
      sex: typeof payload.sex === 'number' ? payload.sex : 0,
      province: text('province'),
      city: text('city'),
      country: text('country'),
      headimgurl: text('headimgurl'),
    };
    if (info.openid !== openid) {
      throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'openid mismatch' });
    }
    if (typeof payload.unionid === 'string' && payload.unionid.length > 0) info.unionid = payload.unionid;
    return info;
  }

  /** Closes the HTTP pool. The Redis connection belongs to the caller and stays open. */
  async close(): Promise<void> {
    await this.http.close();
  }

  /** After the HTTP server has closed, so a login still waiting on WeChat during shutdown completes. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private app(api: WechatApiName, appid: string): WechatAppCredentials {
    const app = typeof appid === 'string' ? this.options.apps.get(appid) : undefined;
    if (!app) throw new WechatApiError({ api, kind: 'MISCONFIGURED', detail: 'unknown appid' });
    const kinds = APP_KINDS_BY_API[api];
    if (kinds && !kinds.includes(app.kind ?? 'mini_program')) {
      throw new WechatApiError({
        api,
        kind: 'MISCONFIGURED',
        detail: `not for a ${app.kind ?? 'mini_program'}`,
      });
    }
    return app;
  }

  private async fetchStableToken(appid: string): Promise<FetchedAccessToken> {
    const api = 'stable_token';
    const app = this.app(api, appid);
    const request: WechatHttpRequest = {
      api,
      method: 'POST',
      path: '/cgi-bin/stable_token',
      query: {},
      // force_refresh=false: every instance gets the same token while it has > 5 min left
      // (docs/wechat-api-notes.md §5.2).
      body: { grant_type: 'client_credential', appid, secret: app.secret, force_refresh: false },
      secrets: [app.secret],
    };
    let payload: WechatPayload;
    try {
      payload = await this.retryBusyOnce(api, () => this.http.call(request));
    } catch (error) {
      // On the token endpoints 40001 means a wrong AppSecret (docs/wechat-api-notes.md §1.1), not a bad token:
      // there is nothing to refresh, so it must not look like TOKEN_INVALID to callers or to withAccessToken.
      if (error instanceof WechatApiError && error.errcode === 40001) {
        const { errcode, errmsg, rid } = error;
        throw new WechatApiError({ api, kind: 'MISCONFIGURED', errcode, errmsg, rid });
      }
      throw error;
    }
    const token = requireString(api, payload, 'access_token');
    const expiresInSeconds = requireNumber(api, payload, 'expires_in');
    if (expiresInSeconds <= 0) throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'bad expires_in' });
    return { token, expiresInSeconds };
  }

  /**
   * Runs a token-protected call; on 40001/40014/42001 drops the token (only if the cache still holds that
   * same token, so a newer one stored by another caller survives), gets a fresh one and retries once.
   */
  private async withAccessToken(
    api: WechatApiName,
    appid: string,
    { retryBusy }: { retryBusy: boolean },
    call: (token: string) => Promise<WechatPayload>,
  ): Promise<WechatPayload> {
    const attempt = (token: string): Promise<WechatPayload> =>
      retryBusy ? this.retryBusyOnce(api, () => call(token)) : call(token);
    const token = await this.tokens.get(appid);
    try {
      return await attempt(token);
    } catch (error) {
      if (!isTokenRejection(error)) throw error;
      this.logger.warn(
        `${api}: errcode ${error.errcode} for ${appid}; refreshing the access token`,
        LOG_CONTEXT,
      );
      await this.tokens.invalidate(appid, token);
      return attempt(await this.tokens.get(appid, token));
    }
  }

  /** One retry on -1 (system busy) after 200 ms ± 50 %, for idempotent calls only. */
  private async retryBusyOnce<T>(api: WechatApiName, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WechatApiError) || error.kind !== 'BUSY') throw error;
      const delay = Math.round(BUSY_RETRY_DELAY_MS * (0.5 + Math.random()));
      this.logger.warn(`${api}: errcode -1 (BUSY), retrying once in ${delay} ms`, LOG_CONTEXT);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return call();
    }
  }
}
