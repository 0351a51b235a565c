import { Controller, Headers, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { AuthService } from '../auth.service.js';
import { Public } from '../decorators/public.decorator.js';
import type { LoginResponse } from '../dto/login-response.js';
import type { WechatIdentity } from '../ports/users.port.js';
import { CloudHostingAuthGuard } from './cloud-hosting-auth.guard.js';

/**
 * `POST /auth/login/cloud-hosting`: a login by the identity WeChat Cloud Hosting put in the request
 * (`wx.cloud.callContainer`), no `wx.login` code. Exists only with the module's `cloudHosting` extra.
 * @internal
 */
@Controller('auth')
export class CloudHostingController {
  constructor(private readonly auth: AuthService) {}

  /** The strategy (CloudHostingAuthGuard) has already read the identity into `req.user`. */
  @Post('login/cloud-hosting')
  @Public()
  @UseGuards(CloudHostingAuthGuard)
  @HttpCode(200)
  login(
    @Req() request: { user: WechatIdentity },
    @Headers('user-agent') userAgent?: string,
  ): Promise<LoginResponse> {
    return this.auth.loginIdentity(request.user, userAgent ?? null, request);
  }
}
