import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { WECHAT_CODE_STRATEGY } from '../auth.constants.js';
import { AuthService } from '../auth.service.js';
import { parseLoginRequest } from '../dto/parse-login-request.js';
import type { LoginResponseDto } from '../dto/login-response.dto.js';

interface LoginRequest {
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Passport strategy behind `POST /auth/login`: validates the body (guards run before pipes, so the
 * global ValidationPipe has not seen it yet) and performs the login. Its result becomes `req.user`.
 * @internal
 */
@Injectable()
export class WechatCodeStrategy extends PassportStrategy(Strategy, WECHAT_CODE_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  async validate(request: LoginRequest): Promise<LoginResponseDto> {
    const body = parseLoginRequest(request.body);
    const userAgent = request.headers['user-agent'];
    return this.auth.login(body.code, body.appid, typeof userAgent === 'string' ? userAgent : null);
  }
}
