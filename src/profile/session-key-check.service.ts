import { Injectable, Logger } from '@nestjs/common';
import { SessionService, type CurrentUserContext } from '../auth/index.js';
import { WechatApiError } from '../wechat/wechat-api.error.js';
import { WechatClient } from '../wechat/wechat.client.js';
import type { WechatLoginStatusDto } from './dto/wechat-login-status.dto.js';
import { upstreamError } from './profile.errors.js';
import { ProfileWriter } from './profile-writer.service.js';

/**
 * Asks WeChat (checksession) whether the session_key saved at the caller's latest login is still the
 * current one, so the client refreshes its login before a phone-number or decryption step.
 */
@Injectable()
export class SessionKeyCheckService {
  private readonly logger = new Logger(SessionKeyCheckService.name);

  constructor(
    private readonly sessions: SessionService,
    private readonly writer: ProfileWriter,
    private readonly wechat: WechatClient,
  ) {}

  async check(caller: CurrentUserContext): Promise<WechatLoginStatusDto> {
    const sessionKey = await this.sessions.findSessionKey(caller.appid, caller.userId);
    if (sessionKey === null) return { valid: false };
    const openid = await this.writer.openidOf(caller);
    try {
      return { valid: await this.wechat.checkSessionKey(caller.appid, openid, sessionKey) };
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      this.logger.warn(
        `checksession failed: ${error.kind} errcode=${error.errcode ?? '-'} rid=${error.rid ?? '-'}`,
      );
      throw upstreamError(error);
    }
  }
}
