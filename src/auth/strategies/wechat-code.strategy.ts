import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { WECHAT_CODE_STRATEGY } from '../auth.constants.js';
import { AuthService } from '../auth.service.js';
import { parseLoginRequest } from '../dto/parse-login-request.js';
import type { WechatLogin } from '../login/code-exchange.service.js';

interface LoginRequest {
  body?: unknown;
}

/**
 * Passport strategy behind `POST /auth/login`: authenticates the login code. It validates the body
 * (guards run before pipes, so the global ValidationPipe has not seen it yet) and exchanges the code
 * with WeChat; the identity it returns becomes `req.user`, from which the controller issues the session.
 * @internal
 */
@Injectable()
export class WechatCodeStrategy extends PassportStrategy(Strategy, WECHAT_CODE_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super();
  }

  validate(request: LoginRequest): Promise<WechatLogin> {
    const { code, appid } = parseLoginRequest(request.body);
    return this.auth.exchangeCode(code, appid);
  }
}
