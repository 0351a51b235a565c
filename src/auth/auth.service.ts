import { Inject, Injectable, Logger } from '@nestjs/common';
import { errorMessage } from '../common/error-message.js';
import { WechatApiError } from '../wechat/wechat-api.error.js';
import { AUTH_CODE_EXCHANGER, AUTH_USERS } from './auth.constants.js';
import type { LoginResponse } from './dto/login-response.js';
import { databaseUnavailable, sessionStoreUnavailable, unknownAppid } from './errors/auth.exception.js';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
import { wechatErrorToHttp } from './errors/wechat-error.mapper.js';
import { CodeExchangeService, type WechatLogin } from './login/code-exchange.service.js';
import type { WechatCodeExchanger } from './ports/code-exchanger.port.js';
import type { AuthUser, AuthUsersPort, WechatIdentity } from './ports/users.port.js';
import { SessionService } from './session/session.service.js';

/**
 * The login, in two steps. The code-exchange strategy calls {@link exchangeCode} (code → WeChat →
 * identity); the controller then calls {@link login} (identity → user → session). In that order a
 * failure at any step leaves no session behind (at most an idempotent user row).
 * @internal
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(AUTH_CODE_EXCHANGER) private readonly wechat: WechatCodeExchanger,
    @Inject(AUTH_USERS) private readonly users: AuthUsersPort,
    private readonly exchange: CodeExchangeService,
    private readonly sessions: SessionService,
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

  /** Finds or creates the user and issues the session, sealed session_key included. */
  async login(wechatLogin: WechatLogin, userAgent: string | null): Promise<LoginResponse> {
    const { identity } = wechatLogin;
    // The code ledger's write overlaps the user upsert; the login fails with either.
    const [user] = await Promise.all([
      this.findOrCreateUser(identity),
      this.exchange.recorded(wechatLogin).catch(ledgerUnavailable),
    ]);
    const issued = await this.sessions.issueWithSessionKey(
      user.id,
      identity.appid,
      userAgent,
      user.snapshot,
      wechatLogin.sealedSessionKey,
    );
    return {
      token: issued.token,
      tokenType: 'Bearer',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      user: user.snapshot,
    };
  }

  private exchangeFailure(error: unknown): unknown {
    if (!(error instanceof WechatApiError)) return ledgerFailure(error);
    const { kind, errcode, rid, api } = error;
    if (kind === 'MISCONFIGURED' || kind === 'MALFORMED' || kind === 'TOKEN_INVALID') {
      // Our side or WeChat's is broken, not the user's: worth an operator's attention.
      this.logger.error(`login failed upstream: ${api} ${kind} errcode=${errcode ?? '-'} rid=${rid ?? '-'}`);
    }
    return wechatErrorToHttp(error);
  }

  private async findOrCreateUser(identity: WechatIdentity): Promise<AuthUser> {
    try {
      return await this.users.findOrCreate(identity);
    } catch (error) {
      this.logger.error(`user upsert failed: ${errorMessage(error)}`);
      throw databaseUnavailable();
    }
  }
}

/** The code ledger lives in the session store: no ledger, no safe single-flight, so no login. */
function ledgerFailure(error: unknown): unknown {
  return error instanceof SessionStoreUnavailableError ? sessionStoreUnavailable() : error;
}

function ledgerUnavailable(error: unknown): never {
  throw ledgerFailure(error);
}
