import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AuthService } from './auth.service.js';
import { Authenticated } from './decorators/authenticated.decorator.js';
import { CurrentUser, type CurrentUserContext } from './decorators/current-user.decorator.js';
import { Public } from './decorators/public.decorator.js';
import type { LoginRequest } from './dto/login-request.js';
import type { LoginResponse } from './dto/login-response.js';
import { AuthEvents } from './events/auth-event.listener.js';
import { mapSessionSummary, type SessionSummary } from './dto/session-summary.js';
import { sessionNotFound } from './errors/auth.exception.js';
import { markTokenLookupFailed } from './guards/session-token.guard.js';
import { WechatCodeAuthGuard } from './guards/wechat-code-auth.guard.js';
import type { WechatLogin } from './login/code-exchange.service.js';
import { SessionService } from './session/session.service.js';
import { parseBearerToken } from './session/session-token.js';

/**
 * The login and the caller's own sessions. The OpenAPI description of these routes is applied by
 * `documentAuthApi()` (openapi/), so that this module does not need @nestjs/swagger.
 * @internal
 */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionService,
    private readonly events: AuthEvents,
  ) {}

  /** The code-exchange strategy (WechatCodeAuthGuard) has already turned the code into `req.user`. */
  @Post('login')
  @Public()
  @UseGuards(WechatCodeAuthGuard)
  @HttpCode(200)
  login(
    @Req() request: { user: WechatLogin; body: LoginRequest },
    @Headers('user-agent') userAgent?: string,
  ): Promise<LoginResponse> {
    // The body was validated by the strategy (parseLoginRequest) before the code was exchanged.
    const { phoneCode, merge } = request.body;
    return this.auth.login(request.user, userAgent ?? null, request, { phoneCode, merge });
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(@Req() request: unknown, @Headers('authorization') authorization?: string): Promise<void> {
    const token = parseBearerToken(authorization);
    // Still 204 (logout is idempotent), but an unknown token counts as a guess for the host's limiter.
    if (token && !(await this.auth.logout(token, request))) markTokenLookupFailed(request);
  }

  @Get('sessions')
  @Authenticated()
  async list(@CurrentUser() caller: CurrentUserContext): Promise<SessionSummary[]> {
    const records = await this.sessions.list(caller.appid, caller.userId);
    return records.map((record) => mapSessionSummary(record, caller.sessionId));
  }

  @Delete('sessions/:id')
  @Authenticated()
  @HttpCode(204)
  async revoke(
    @CurrentUser() caller: CurrentUserContext,
    @Param('id') id: string,
    @Req() request: unknown,
  ): Promise<void> {
    if (!(await this.sessions.revoke(caller.appid, caller.userId, id))) throw sessionNotFound();
    const { appid, userId } = caller;
    this.events.emit({ kind: 'session.revoked', appid, userId, sessionId: id }, request);
  }

  @Delete('sessions')
  @Authenticated()
  @HttpCode(204)
  async revokeAll(@CurrentUser() caller: CurrentUserContext, @Req() request: unknown): Promise<void> {
    await this.sessions.revokeAll(caller.appid, caller.userId);
    const { appid, userId } = caller;
    this.events.emit({ kind: 'sessions.revoked_all', appid, userId }, request);
  }
}
