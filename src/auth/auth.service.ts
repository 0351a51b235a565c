import { Inject, Injectable, Logger } from '@nestjs/common';
import { mapUserProfile } from '../user/dto/user-profile.dto.js';
import type { User } from '../user/user.entity.js';
import { UsersService } from '../user/user.service.js';
import type { WechatClient } from '../wechat/wechat.client.js';
import type { AuthWechatClientHolder } from './auth.providers.js';
import { AUTH_WECHAT_CLIENT } from './auth.constants.js';
import type { LoginResponseDto } from './dto/login-response.dto.js';
import { databaseUnavailable, sessionStoreUnavailable, unknownAppid } from './errors/auth.exception.js';
import { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
import { wechatErrorToHttp } from './errors/wechat-error.mapper.js';
import { CodeExchangeService, type ExchangeOutcome } from './login/code-exchange.service.js';
import { SessionService } from './session/session.service.js';
import { errorMessage } from '../common/error-message.js';

/**
 * The login: code → WeChat → user row (while the code ledger records WeChat's answer) → session_key
 * and session → response, in that order, so a failure at any step leaves no session (at most an
 * idempotent user row).
 * @internal
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly wechat: WechatClient;

  constructor(
    @Inject(AUTH_WECHAT_CLIENT) wechat: AuthWechatClientHolder,
    private readonly exchange: CodeExchangeService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
  ) {
    this.wechat = wechat.client;
  }

  async login(code: string, appid: string | undefined, userAgent: string | null): Promise<LoginResponseDto> {
    const app = appid ?? this.wechat.defaultAppid;
    if (!this.wechat.hasApp(app)) throw unknownAppid();

    const outcome = await this.exchangeCode(app, code);
    if (!outcome.ok) {
      const { kind, errcode, rid, api } = outcome.error;
      if (kind === 'MISCONFIGURED' || kind === 'MALFORMED' || kind === 'TOKEN_INVALID') {
        // Our side or WeChat's is broken, not the user's: worth an operator's attention.
        this.logger.error(
          `login failed upstream: ${api} ${kind} errcode=${errcode ?? '-'} rid=${rid ?? '-'}`,
        );
      }
      throw wechatErrorToHttp(outcome.error);
    }

    const [user] = await Promise.all([
      this.upsertUser(app, outcome.openid, outcome.unionid),
      outcome.recorded.catch(ledgerUnavailable),
    ]);
    const profile = mapUserProfile(user);
    const issued = await this.sessions.issueWithSessionKey(
      user.id,
      app,
      userAgent,
      { ...profile },
      outcome.sealedSessionKey,
    );
    return {
      token: issued.token,
      tokenType: 'Bearer',
      expiresAt: new Date(issued.expiresAt).toISOString(),
      user: profile,
    };
  }

  private async exchangeCode(appid: string, code: string): Promise<ExchangeOutcome> {
    try {
      return await this.exchange.exchange(appid, code);
    } catch (error) {
      return ledgerUnavailable(error);
    }
  }

  private async upsertUser(appid: string, openid: string, unionid: string | undefined): Promise<User> {
    try {
      return await this.users.upsertLogin(appid, openid, unionid);
    } catch (error) {
      this.logger.error(`user upsert failed: ${errorMessage(error)}`);
      throw databaseUnavailable();
    }
  }
}

/** The code ledger lives in the session store: no ledger, no safe single-flight, so no login. */
function ledgerUnavailable(error: unknown): never {
  if (error instanceof SessionStoreUnavailableError) throw sessionStoreUnavailable();
  throw error;
}
