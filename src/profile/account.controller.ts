import { Controller, Delete, Get, HttpCode, Req, UseGuards } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../swagger/api-docs.decorators.js';
import { Authenticated, CurrentUser, type CurrentUserContext } from '../auth/index.js';
import { AccountService } from './account.service.js';
import { AccountExportDto, type AccountExport } from './dto/account-export.dto.js';
import { NoQueryParamsGuard } from './no-query-params.guard.js';
import { ApiErrorCodes } from './profile-api.decorators.js';

/** Account deletion and data export: the user's rights under the PIPL, and WeChat's review rules. */
@ApiTags('users')
@Controller('users/me')
@UseGuards(NoQueryParamsGuard)
export class AccountController {
  constructor(private readonly accounts: AccountService) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete your account for good',
    description:
      'Deletes the user row (profile, phone number, WeChat identifiers), the avatar file unless another ' +
      'user shares it, the stored WeChat session key and every session. A later login with the same ' +
      'WeChat account starts a new, empty user. On 503 nothing is lost: retry with the same token until ' +
      '204. Once done the token is revoked, so repeating the call answers 401.',
  })
  @ApiNoContentResponse({ description: 'Deleted; every token of the account is revoked' })
  @ApiErrorCodes('QUERY_NOT_ALLOWED', 'DATABASE_UNAVAILABLE')
  @Authenticated()
  delete(@CurrentUser() caller: CurrentUserContext, @Req() request: unknown): Promise<void> {
    return this.accounts.delete(caller, { request });
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export everything stored about you (JSON)',
    description:
      'Profile, phone number, the WeChat identifiers (appid, openid, unionid: your own data), when the ' +
      'account was created and last logged in, and your live sessions with their devices. Read from the ' +
      'database. Never a token, a token hash or the WeChat session key. Sent with `Cache-Control: no-store`.',
  })
  @ApiOkResponse({ type: AccountExportDto })
  @ApiErrorCodes('QUERY_NOT_ALLOWED', 'USER_NOT_FOUND', 'DATABASE_UNAVAILABLE')
  @Authenticated()
  export(@CurrentUser() caller: CurrentUserContext): Promise<AccountExport> {
    return this.accounts.export(caller);
  }
}
