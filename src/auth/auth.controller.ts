import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated } from './decorators/authenticated.decorator.js';
import { CurrentUser, type CurrentUserContext } from './decorators/current-user.decorator.js';
import { Public } from './decorators/public.decorator.js';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { LoginRequestDto } from './dto/login-request.dto.js';
import { LoginResponseDto } from './dto/login-response.dto.js';
import { mapSessionSummary, SessionSummaryDto } from './dto/session-summary.dto.js';
import { sessionNotFound } from './errors/auth.exception.js';
import { WechatCodeAuthGuard } from './guards/wechat-code-auth.guard.js';
import { SessionService } from './session/session.service.js';
import { parseBearerToken } from './session/session-token.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @Public()
  @UseGuards(WechatCodeAuthGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a wx.login() code for a session token' })
  @ApiBody({ type: LoginRequestDto })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: '`VALIDATION_FAILED` or `UNKNOWN_APPID`' })
  @ApiResponse({
    status: 401,
    type: ErrorResponseDto,
    description: '`LOGIN_CODE_INVALID` or `LOGIN_CODE_USED`: call wx.login again',
  })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: '`WECHAT_RISK_BLOCKED`' })
  @ApiResponse({
    status: 429,
    type: ErrorResponseDto,
    description: '`WECHAT_RATE_LIMITED`, with Retry-After',
  })
  @ApiResponse({ status: 502, type: ErrorResponseDto, description: '`WECHAT_BAD_GATEWAY`' })
  @ApiResponse({
    status: 503,
    type: ErrorResponseDto,
    description:
      '`WECHAT_UNAVAILABLE`, `SESSION_STORE_UNAVAILABLE` or `DATABASE_UNAVAILABLE`, with Retry-After',
  })
  login(@Req() request: { user: LoginResponseDto }): LoginResponseDto {
    return request.user;
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'End the calling session (idempotent: an unknown token also gets 204)' })
  @ApiResponse({ status: 204, description: 'Session ended, or there was none' })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: '`SESSION_STORE_UNAVAILABLE`' })
  async logout(@Headers('authorization') authorization?: string): Promise<void> {
    const token = parseBearerToken(authorization);
    if (token) await this.sessions.revokeToken(token);
  }

  @Get('sessions')
  @Authenticated()
  @ApiOperation({ summary: "List the caller's live sessions (devices); the current one is marked" })
  @ApiResponse({ status: 200, type: SessionSummaryDto, isArray: true })
  async list(@CurrentUser() caller: CurrentUserContext): Promise<SessionSummaryDto[]> {
    const records = await this.sessions.list(caller.appid, caller.userId);
    return records.map((record) => mapSessionSummary(record, caller.sessionId));
  }

  @Delete('sessions/:id')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of the caller’s sessions' })
  @ApiResponse({ status: 204, description: 'Revoked' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: '`SESSION_NOT_FOUND`' })
  async revoke(@CurrentUser() caller: CurrentUserContext, @Param('id') id: string): Promise<void> {
    if (!(await this.sessions.revoke(caller.appid, caller.userId, id))) throw sessionNotFound();
  }

  @Delete('sessions')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke every session of the caller, this one included' })
  @ApiResponse({ status: 204, description: 'All revoked' })
  async revokeAll(@CurrentUser() caller: CurrentUserContext): Promise<void> {
    await this.sessions.revokeAll(caller.appid, caller.userId);
  }
}
