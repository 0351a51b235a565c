import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import { AUTH_CODE_EXCHANGER } from '../auth.constants.js';
import { unknownAppid } from '../errors/auth.exception.js';
import type { WechatCodeExchanger } from '../ports/code-exchanger.port.js';
import type { WechatIdentity } from '../ports/users.port.js';
import { WECHAT_CLOUD_HOSTING_STRATEGY } from './cloud-hosting.constants.js';
import { readCloudHostingIdentity } from './cloud-hosting-identity.js';

interface CloudHostingRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Passport strategy behind `POST /auth/login/cloud-hosting`: the identity is the one WeChat Cloud
 * Hosting injected into the request's headers (no code exchange), for a mini program this service
 * serves. Registered only with the module's `cloudHosting` extra.
 * @internal
 */
@Injectable()
export class CloudHostingStrategy extends PassportStrategy(Strategy, WECHAT_CLOUD_HOSTING_STRATEGY) {
  constructor(@Inject(AUTH_CODE_EXCHANGER) private readonly wechat: WechatCodeExchanger) {
    super();
  }

  validate(request: CloudHostingRequest): WechatIdentity {
    const identity = readCloudHostingIdentity(request.headers);
    if (!this.wechat.hasApp(identity.appid)) throw unknownAppid();
    return identity;
  }
}
