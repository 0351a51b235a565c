import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { applyErrorHeaders } from '../../common/api.exception.js';
import { WECHAT_CLOUD_HOSTING_STRATEGY } from './cloud-hosting.constants.js';

/** Runs the Cloud Hosting strategy, keeping our error codes and headers intact. @internal */
@Injectable()
export class CloudHostingAuthGuard extends AuthGuard(WECHAT_CLOUD_HOSTING_STRATEGY) {
  override handleRequest<T>(error: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (error) {
      applyErrorHeaders(context.switchToHttp().getResponse(), error);
      throw error;
    }
    return user;
  }
}
