import { Inject, Injectable, Logger } from '@nestjs/common';
import { apiError, type ErrorCode } from '../../common/error-catalogue.js';
import { ApiException } from '../../common/api.exception.js';
import { WechatApiError } from '../../wechat/wechat-api.error.js';
import { AUTH_CODE_EXCHANGER, AUTH_RESOLVED_OPTIONS } from '../auth.constants.js';
import type { ResolvedAuthOptions } from '../auth-options.validation.js';
import { AuthService } from '../auth.service.js';
import { AccountConflictError } from '../../common/account-conflict.error.js';
import { sessionStoreUnavailable, unknownAppid } from '../errors/auth.exception.js';
import { SessionStoreUnavailableError } from '../errors/session-store-unavailable.error.js';
import { wechatErrorToHttp } from '../errors/wechat-error.mapper.js';
import { LoginCodeLedger } from '../login/login-code.ledger.js';
import type { IdentityKind } from '../ports/users.port.js';
import type { OAuthAccessToken, WechatOAuthClient } from './oauth-client.port.js';
import type { ResolvedOAuthOptions } from './oauth-options.js';
import {
  hashOAuthState,
  newOAuthState,
  OAuthStateSealer,
  sameText,
  stateCookie,
  stateCookieValues,
  type OAuthScope,
  type OAuthStartedLogin,
} from './oauth-state.js';

/** A redirect to send, with the state cookie to set or clear. @internal */
export interface OAuthRedirect {
  location: string;
  setCookie: string;
}

/** What the start route's query may carry. @internal */
export interface OAuthStartQuery {
  redirect?: unknown;
  scope?: unknown;
  /** `true` after an ACCOUNT_CONFLICT the person confirmed: the login then merges the accounts. */
  merge?: unknown;
}

/** What WeChat's redirect back to the callback carries. @internal */
export interface OAuthCallbackQuery {
  code?: unknown;
  state?: unknown;
}

/** Per app kind: the authorize page, its scopes (the first is the default) and the identity kind. */
const PAGES: Record<
  'official_account' | 'website',
  { path: string; scopes: OAuthScope[]; kind: IdentityKind }
> = {
  official_account: {
    path: '/connect/oauth2/authorize',
    scopes: ['snsapi_base', 'snsapi_userinfo'],
    kind: 'official_account',
  },
  website: { path: '/connect/qrconnect', scopes: ['snsapi_login'], kind: 'website' },
};

const MAX_REDIRECT_LENGTH = 2048;

const redirectNotAllowed = (why: string) =>
  apiError('OAUTH_REDIRECT_NOT_ALLOWED', `The redirect ${why}; nothing was redirected`);
const stateInvalid = (why: string) => apiError('OAUTH_STATE_INVALID', `The login state ${why}; start again`);

/**
 * The web login (docs/wechat-api-notes.md §14): sends the browser to WeChat's authorize page with a
 * fresh `state` bound to it by a sealed cookie, and on the way back checks that state, exchanges the
 * code, reads the profile for the unionid when the scope allows, and logs the identity in through
 * {@link AuthService.loginIdentity}. The session token goes to the allow-listed page in the URL
 * fragment (never the query: fragments are not sent to servers or put in Referer headers).
 * @internal
 */
@Injectable()
export class OAuthService {
  private readonly logger = new Logger(OAuthService.name);
  private readonly options: ResolvedOAuthOptions;
  private readonly sealer: OAuthStateSealer;

  constructor(
    @Inject(AUTH_CODE_EXCHANGER) private readonly wechat: WechatOAuthClient,
    @Inject(AUTH_RESOLVED_OPTIONS) resolved: ResolvedAuthOptions,
    private readonly auth: AuthService,
    private readonly ledger: LoginCodeLedger,
  ) {
    // Validation guarantees both when the OAuth routes are declared.
    this.options = resolved.oauth!;
    this.sealer = new OAuthStateSealer(resolved.sessionKeySecret);
  }

  /**
   * Where to send the browser to log in with `appid`, and the state cookie. `requestBase` is the
   * request's own origin, used when no `publicBaseUrl` is configured.
   */
  start(appid: string, query: OAuthStartQuery, requestBase: string): OAuthRedirect {
    const page = this.page(appid);
    const scope = query.scope ?? page.scopes[0];
    if (typeof scope !== 'string' || !page.scopes.includes(scope as OAuthScope)) {
      throw apiError('VALIDATION_FAILED', `scope must be one of ${page.scopes.join(', ')} for this app`);
    }
    if (typeof query.redirect !== 'string' || query.redirect.length === 0) {
      throw apiError('VALIDATION_FAILED', 'redirect (the page to return to) is required');
    }
    if (query.merge !== undefined && query.merge !== 'true' && query.merge !== 'false') {
      throw apiError('VALIDATION_FAILED', 'merge must be true or false');
    }
    const redirect = this.allowedRedirect(query.redirect);
    const state = newOAuthState();
    const callback = this.callbackUrl(appid, requestBase);
    const login: OAuthStartedLogin = {
      stateHash: hashOAuthState(state),
      appid,
      scope: scope as OAuthScope,
      redirect,
      expiresAt: Date.now() + this.options.stateTtlSeconds * 1000,
    };
    if (query.merge === 'true') login.merge = true;
    const authorize = new URL(`${this.options.authorizeBaseUrl}${page.path}`);
    // WeChat wants exactly these, in this order, and the literal #wechat_redirect (§14.1).
    authorize.search = new URLSearchParams({
      appid,
      redirect_uri: callback.toString(),
      response_type: 'code',
      scope,
      state,
    }).toString();
    authorize.hash = 'wechat_redirect';
    return {
      location: authorize.toString(),
      setCookie: stateCookie(
        this.sealer.seal(login),
        callback.pathname,
        this.options.stateTtlSeconds,
        callback.protocol === 'https:',
      ),
    };
  }

  /**
   * WeChat's redirect back: answers 400 (`OAUTH_STATE_INVALID`) unless `state` is the one this
   * browser's cookie was sealed for and unused; otherwise redirects to the login's page with
   * `#token=…&expiresAt=…`, or `#error=<CODE>` when WeChat or the login refused.
   */
  async callback(
    appid: string,
    query: OAuthCallbackQuery,
    cookieHeader: string | undefined,
    requestBase: string,
    userAgent: string | null,
    request: unknown,
  ): Promise<OAuthRedirect> {
    const page = this.page(appid);
    const started = this.startedLogin(appid, query.state, cookieHeader);
    const redirect = this.allowedRedirect(started.redirect);
    await this.claimState(started);
    const callback = this.callbackUrl(appid, requestBase);
    const setCookie = stateCookie('', callback.pathname, 0, callback.protocol === 'https:');
    const finish = (fragment: Record<string, string>): OAuthRedirect => {
      const url = new URL(redirect);
      url.hash = new URLSearchParams(fragment).toString();
      return { location: url.toString(), setCookie };
    };

    // A user who refuses is sent back without a code (§14.1).
    if (typeof query.code !== 'string' || query.code.length === 0) return finish({ error: 'OAUTH_DENIED' });
    let identity;
    try {
      const token = await this.wechat.oauthAccessToken(appid, query.code);
      if (token.snapshotUser) return finish({ error: 'OAUTH_SNAPSHOT_USER' });
      identity = {
        appid,
        openid: token.openid,
        unionid: await this.unionid(token, started),
        kind: page.kind,
      };
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      return finish({ error: this.wechatFailure(error) });
    }
    if (identity.unionid === undefined) delete identity.unionid;
    try {
      const evidence = started.merge ? { merge: true } : {};
      const session = await this.auth.loginIdentity(identity, userAgent, request, evidence);
      return finish({ token: session.token, expiresAt: session.expiresAt });
    } catch (error) {
      // Back to the page, which can explain it: a browser left on a JSON answer is a dead end. A
      // mergeable conflict is resolved by starting again with merge=true once the person agrees.
      if (error instanceof AccountConflictError) {
        return finish({ error: error.code, mergeable: String(error.mergeable) });
      }
      if (error instanceof ApiException) return finish({ error: error.code });
      throw error;
    }
  }

  /** The authorize page serving `appid`, or 400 UNKNOWN_APPID (a mini program has none). */
  private page(appid: string): (typeof PAGES)[keyof typeof PAGES] {
    const kind = typeof appid === 'string' ? this.wechat.appKind(appid) : undefined;
    if (kind !== 'official_account' && kind !== 'website') throw unknownAppid();
    return PAGES[kind];
  }

  private allowedRedirect(value: string): string {
    if (value.length > MAX_REDIRECT_LENGTH) throw redirectNotAllowed('is too long');
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw redirectNotAllowed('is not an absolute URL');
    }
    if (url.username || url.password || url.hash) {
      throw redirectNotAllowed('must not carry credentials or a fragment');
    }
    if (!this.options.allowedOrigins.has(url.origin)) throw redirectNotAllowed('is not on an allowed origin');
    return url.toString();
  }

  private callbackUrl(appid: string, requestBase: string): URL {
    const base = this.options.publicBaseUrl ?? requestBase.replace(/\/+$/, '');
    return new URL(`${base}/auth/oauth/${encodeURIComponent(appid)}/callback`);
  }

  /** The login this browser started for `state`: sealed by us, unexpired, for this app and this state. */
  private startedLogin(appid: string, state: unknown, cookieHeader: string | undefined): OAuthStartedLogin {
    if (typeof state !== 'string' || state.length === 0) throw stateInvalid('is missing');
    const cookies = stateCookieValues(cookieHeader);
    if (cookies.length === 0) throw stateInvalid('cookie is missing (another browser, or expired)');
    const stateHash = hashOAuthState(state);
    for (const value of cookies) {
      const login = this.sealer.open(value);
      if (login && login.appid === appid && sameText(login.stateHash, stateHash)) return login;
    }
    throw stateInvalid('does not match this browser');
  }

  /** Single use across instances: the first callback with a state claims it in the store, until it expires. */
  private async claimState(login: OAuthStartedLogin): Promise<void> {
    const ttlMs = Math.max(1000, login.expiresAt - Date.now());
    let claimed: boolean;
    try {
      claimed = await this.ledger.claim(`oauth-state:${login.stateHash}`, ttlMs);
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) throw sessionStoreUnavailable();
      throw error;
    }
    if (!claimed) throw stateInvalid('was already used');
  }

  /**
   * The unionid: `sns/userinfo`'s when the granted scope allows reading it (the token answer carries
   * it only sometimes, §14.5), else the token answer's, if any.
   */
  private async unionid(token: OAuthAccessToken, started: OAuthStartedLogin): Promise<string | undefined> {
    const scope = token.scope || started.scope;
    if (!/\bsnsapi_(userinfo|login)\b/.test(scope)) return token.unionid;
    const info = await this.wechat.oauthUserInfo(token.accessToken, token.openid);
    return info.unionid ?? token.unionid;
  }

  private wechatFailure(error: WechatApiError): ErrorCode {
    const { kind, errcode, rid, api } = error;
    if (kind === 'CODE_INVALID') return 'OAUTH_CODE_INVALID';
    if (kind === 'CODE_USED') return 'OAUTH_CODE_USED';
    if (kind === 'MISCONFIGURED' || kind === 'MALFORMED' || kind === 'TOKEN_INVALID') {
      // Our side or WeChat's is broken, not the user's: worth an operator's attention.
      this.logger.error(
        `web login failed upstream: ${api} ${kind} errcode=${errcode ?? '-'} rid=${rid ?? '-'}`,
      );
    }
    return wechatErrorToHttp(error).code as ErrorCode;
  }
}
