import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { applyErrorHeaders } from '../../common/api.exception.js';
import { WECHAT_CODE_STRATEGY } from '../auth.constants.js';

/** Runs the code-exchange strategy on the login route, keeping our error codes and headers intact. @internal */
@Injectable()
export class WechatCodeAuthGuard extends AuthGuard(WECHAT_CODE_STRATEGY) {
  override handleRequest<T>(error: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (error) {
      applyErrorHeaders(context.switchToHttp().getResponse(), error);
      throw error;
    }
    return user;
  }
}
