import { Injectable, Logger } from '@nestjs/common';
import { AuditRecorder } from '../audit/audit-event.js';
import type { CurrentUserContext } from '../auth/index.js';
import type { UserProfile } from '../user/user-profile.js';
import { isPhoneCodeRefused, WechatApiError } from '../wechat/wechat-api.error.js';
import { WechatClient } from '../wechat/wechat.client.js';
import { phoneCodeInvalid, upstreamError } from './profile.errors.js';
import { ProfileWriter } from './profile-writer.service.js';

/** Binds a verified phone number (`POST /users/me/phone`) to the caller. Phone numbers are never logged. */
@Injectable()
export class PhoneBindingService {
  private readonly logger = new Logger(PhoneBindingService.name);

  constructor(
    private readonly writer: ProfileWriter,
    private readonly wechat: WechatClient,
    private readonly audit: AuditRecorder,
  ) {}

  /** `request` is for the audit trail (client address, user agent, request id). */
  async bind(caller: CurrentUserContext, code: string, request?: unknown): Promise<UserProfile> {
    // The openid binds the code to this user: WeChat refuses a code minted for anyone else (40029).
    const openid = await this.writer.openidOf(caller);
    let phone;
    try {
      phone = await this.wechat.getPhoneNumber(caller.appid, code, openid);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      if (isPhoneCodeRefused(error)) throw phoneCodeInvalid();
      this.logger.warn(
        `getuserphonenumber failed: ${error.kind} errcode=${error.errcode ?? '-'} rid=${error.rid ?? '-'}`,
      );
      throw upstreamError(error);
    }
    const { phoneNumber, purePhoneNumber, countryCode } = phone;
    const profile = await this.writer.apply(caller, { phoneNumber, purePhoneNumber, countryCode });
    // The event says that a number was bound, never which.
    this.audit.record({ kind: 'phone.bound', userId: caller.userId, appid: caller.appid, openid }, request);
    return profile;
  }
}
