import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '../swagger/api-docs.decorators.js';
import { Authenticated, CurrentUser, type CurrentUserContext } from '../auth/index.js';
import { WechatLoginStatusDto } from './dto/wechat-login-status.dto.js';
import { NoQueryParamsGuard } from './no-query-params.guard.js';
import {
  ApiErrors,
  QUERY_ERRORS,
  USER_GONE,
  WECHAT_CALL_LIMITS,
  WECHAT_DOWN,
} from './profile-api.decorators.js';
import { SessionKeyCheckService } from './session-key-check.service.js';
import { ThrottlePerUser } from '../rate-limit/throttle.decorator.js';

/**
 * Lives with the profile routes rather than in auth: it needs the user's openid from the database and
 * a WeChat call, neither of which the token-only auth module has.
 */
@ApiTags('auth')
@Controller('auth/session-key')
@UseGuards(NoQueryParamsGuard)
export class SessionKeyController {
  constructor(private readonly checker: SessionKeyCheckService) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Is the WeChat login behind this session still current?',
    description:
      'Asks WeChat (checksession) whether the key saved at your latest login is still valid. `valid: false`: ' +
      'call wx.login and log in again before a phone-number or decryption step.',
  })
  @ApiOkResponse({ type: WechatLoginStatusDto })
  @ApiErrors({
    400: QUERY_ERRORS,
    429: WECHAT_CALL_LIMITS,
    502: '`WECHAT_BAD_GATEWAY`: our WeChat integration or WeChat itself failed',
    404: USER_GONE,
    503: WECHAT_DOWN,
  })
  @Authenticated()
  @ThrottlePerUser('wechatCalls')
  check(@CurrentUser() caller: CurrentUserContext): Promise<WechatLoginStatusDto> {
    return this.checker.check(caller);
  }
}
