import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../common/error-message.js';
import { isPhoneCodeRefused, WechatApiError } from '../wechat/wechat-api.error.js';
import { AUTH_CODE_EXCHANGER, AUTH_USERS } from './auth.constants.js';
import type { LoginResponse } from './dto/login-response.js';
import { AuthEvents } from './events/auth-event.listener.js';
import {
  databaseUnavailable,
  sessionStoreUnavailable,
  unknownAppid,
  userBanned,
} from './errors/auth.exception.js';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
import { wechatErrorToHttp } from './errors/wechat-error.mapper.js';
import { CodeExchangeService, type LoginReplay, type WechatLogin } from './login/code-exchange.service.js';
import type { WechatCodeExchanger } from './ports/code-exchanger.port.js';
import type {
  AuthUser,
  AuthUsersPort,
  LoginEvidence,
  VerifiedPhone,
  WechatIdentity,
} from './ports/users.port.js';
import { AccountConflictError } from '../common/account-conflict.error.js';
import { apiError } from '../common/error-catalogue.js';
import {
  expiresAt,
  SessionService,
  type IssuedSession,
  type SessionOrigin,
} from './session/session.service.js';

/**
 * The login, in two steps. The code-exchange strategy calls {@link exchangeCode} (code → WeChat →
 * identity); the controller then calls {@link login} (identity → user → session). In that order a
 * failure at any step leaves no session behind (at most an idempotent user row).
 * @internal
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** One login per exchanged code object: concurrent requests with one code share it. */
  private readonly logins = new WeakMap<WechatLogin, Promise<CompletedLogin>>();

  constructor(
    @Inject(AUTH_CODE_EXCHANGER) private readonly wechat: WechatCodeExchanger,
    @Inject(AUTH_USERS) private readonly users: AuthUsersPort,
    private readonly exchange: CodeExchangeService,
    private readonly sessions: SessionService,
    private readonly events: AuthEvents,
  ) {}

  /** Who the code belongs to, by asking WeChat once per code; every failure is already an HTTP answer. */
  async exchangeCode(code: string, appid: string | undefined): Promise<WechatLogin> {
    const app = appid ?? this.wechat.defaultAppid;
    if (!this.wechat.hasApp(app)) throw unknownAppid();
    try {
      return await this.exchange.exchange(app, code);
    } catch (error) {
      throw this.exchangeFailure(error);
    }
  }

  /**
   * Finds or creates the user and issues the session, sealed session_key included. Every request
   * carrying one code gets that code's one session: requests sharing the exchange share this login,
   * and later repeats get the session back from the code ledger while it is alive (CodeExchangeService).
   */
  login(
    wechatLogin: WechatLogin,
    userAgent: string | null,
    request?: unknown,
    options: MiniProgramLoginOptions = {},
  ): Promise<LoginResponse> {
    let pending = this.logins.get(wechatLogin);
    if (!pending) {
      pending = wechatLogin.replay
        ? this.resume(wechatLogin.replay)
        : this.loginOnce(wechatLogin, userAgent, options, request);
      this.logins.set(wechatLogin, pending);
    }
    // Every request answered with a session is a login to report, a shared or replayed one included.
    return pending.then(({ response, userId, sessionId }) => {
      const { appid, openid } = wechatLogin.identity;
      this.events.emit({ kind: 'login.succeeded', appid, userId, openid, sessionId }, request);
      return response;
    });
  }

  /**
   * Logout: ends the live session behind a raw token. Resolves false when the token matched no session
   * (the route counts that as a failed token lookup); an expired session's leftover record is removed
   * too, but is no logout to report.
   */
  async logout(token: string, request?: unknown): Promise<boolean> {
    const live = await this.sessions.findLive(token);
    if (!live) return this.sessions.revokeToken(token);
    const { appid, userId, id } = live.record;
    await this.sessions.revoke(appid, userId, id);
    this.events.emit({ kind: 'logout', appid, userId, sessionId: id }, request);
    return true;
  }

  /**
   * A login by an identity proven another way than a mini program's code: an Official Account or
   * website OAuth code, or WeChat Cloud Hosting's headers. Links the identity by the same rules and
   * issues the same kind of session (without a session_key: those logins have none).
   */
  async loginIdentity(
    identity: WechatIdentity,
    userAgent: string | null,
    request?: unknown,
    evidence: LoginEvidence = {},
  ): Promise<LoginResponse> {
    const user = await this.findOrCreateUser(identity, evidence);
    if (user.merged) await this.moveMergedSessions(user, identity, request);
    if (user.banned) throw userBanned();
    const issued = await this.sessions.issue(user.id, originOf(identity), userAgent, user.snapshot);
    const { appid, openid } = identity;
    this.events.emit(
      { kind: 'login.succeeded', appid, userId: user.id, openid, sessionId: issued.record.id },
      request,
    );
    return {
      token: issued.token,
      tokenType: 'Bearer',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      user: user.snapshot,
    };
  }

  private async loginOnce(
    wechatLogin: WechatLogin,
    userAgent: string | null,
    { phoneCode, merge }: MiniProgramLoginOptions,
    request: unknown,
  ): Promise<CompletedLogin> {
    const { identity } = wechatLogin;
    let issued: IssuedSession;
    let user: AuthUser;
    try {
      const evidence: LoginEvidence = {};
      if (phoneCode !== undefined) evidence.phone = await this.verifyPhone(identity, phoneCode);
      if (merge) evidence.merge = true;
      user = await this.findOrCreateUser(identity, evidence);
      if (user.merged) await this.moveMergedSessions(user, identity, request);
      if (user.banned) throw userBanned();
      issued = await this.sessions.issueWithSessionKey(
        user.id,
        originOf(identity),
        userAgent,
        user.snapshot,
        wechatLogin.sealedSessionKey,
      );
    } catch (error) {
      // No session was handed out: a retry of the code may still log in.
      this.exchange.release(wechatLogin).catch(this.ledgerWarning);
      throw error;
    }
    // Not awaited: a repeat arriving before it lands waits for it in the ledger. If it never lands,
    // the claim expires and a repeat gets LOGIN_CODE_USED from WeChat: never a second session.
    this.exchange.complete(wechatLogin, issued.token, issued.tokenHash).catch(this.ledgerWarning);
    const response: LoginResponse = {
      token: issued.token,
      tokenType: 'Bearer',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      user: user.snapshot,
    };
    return { response, userId: user.id, sessionId: issued.record.id };
  }

  /** A repeated code: the session its first login issued, while that is alive; else LOGIN_CODE_USED. */
  private async resume({ token }: LoginReplay): Promise<CompletedLogin> {
    const session = token === null ? null : await this.sessions.findLive(token);
    if (!session) throw wechatErrorToHttp(new WechatApiError({ api: 'jscode2session', kind: 'CODE_USED' }));
    const response: LoginResponse = {
      token: token!,
      tokenType: 'Bearer',
      expiresAt: new Date(expiresAt(session.record)).toISOString(),
      user: session.record.snapshot,
    };
    return { response, userId: session.record.userId, sessionId: session.record.id };
  }

  private readonly ledgerWarning = (error: unknown): void => {
    this.logger.warn(`login code ledger not updated: ${errorMessage(error)}`);
  };

  private exchangeFailure(error: unknown): unknown {
    if (!(error instanceof WechatApiError)) return ledgerFailure(error);
    const { kind, errcode, rid, api } = error;
    if (kind === 'MISCONFIGURED' || kind === 'MALFORMED' || kind === 'TOKEN_INVALID') {
      // Our side or WeChat's is broken, not the user's: worth an operator's attention.
      this.logger.error(`login failed upstream: ${api} ${kind} errcode=${errcode ?? '-'} rid=${rid ?? '-'}`);
    }
    return wechatErrorToHttp(error);
  }

  /**
   * The login merged other users into this one: their sessions (every app they were in) become this
   * user's, and the merge is reported. The merge is committed already; a session store failure here
   * fails the login (503) and leaves those sessions on the merged-away user, who no longer exists.
   */
  private async moveMergedSessions(
    user: AuthUser,
    identity: WechatIdentity,
    request: unknown,
  ): Promise<void> {
    for (const merged of user.merged ?? []) {
      for (const appid of merged.appids) {
        await this.sessions.moveUser(appid, merged.userId, user.id, user.snapshot);
      }
    }
    const mergedUserIds = (user.merged ?? []).map(({ userId }) => userId);
    const { appid, openid } = identity;
    this.events.emit({ kind: 'accounts.merged', appid, userId: user.id, openid, mergedUserIds }, request);
  }

  /** The phone-number button's code, exchanged for the number WeChat verified for this openid. */
  private async verifyPhone({ appid, openid }: WechatIdentity, phoneCode: string): Promise<VerifiedPhone> {
    if (!this.wechat.getPhoneNumber) {
      throw apiError('VALIDATION_FAILED', 'phoneCode is not supported by this service');
    }
    try {
      return await this.wechat.getPhoneNumber(appid, phoneCode, openid);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      if (isPhoneCodeRefused(error)) throw apiError('PHONE_CODE_INVALID');
      throw this.exchangeFailure(error);
    }
  }

  private async findOrCreateUser(identity: WechatIdentity, evidence?: LoginEvidence): Promise<AuthUser> {
    try {
      return await this.users.findOrCreate(identity, evidence);
    } catch (error) {
      if (error instanceof AccountConflictError) throw error;
      this.logger.error(`user upsert failed: ${errorMessage(error)}`);
      throw databaseUnavailable();
    }
  }
}

/** What a mini-program login asks for besides its code (`POST /auth/login` body). @internal */
export interface MiniProgramLoginOptions {
  phoneCode?: string;
  merge?: boolean;
}

function originOf({ appid, openid, kind }: WechatIdentity): SessionOrigin {
  return { appid, openid, kind: kind ?? 'mini_program' };
}

/** A login's answer, with what its event reports (not in the answer: the public session id). */
interface CompletedLogin {
  response: LoginResponse;
  userId: number;
  sessionId: string;
}

/** The code ledger lives in the session store: no ledger, no safe single-flight, so no login. */
function ledgerFailure(error: unknown): unknown {
  return error instanceof SessionStoreUnavailableError ? sessionStoreUnavailable() : error;
}
