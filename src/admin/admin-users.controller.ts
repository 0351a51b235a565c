import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Req,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../swagger/api-docs.decorators.js';
import { apiError } from '../common/error-catalogue.js';
import { ValidBody, ValidQuery } from '../http/validated-body.decorator.js';
import { ApiErrorCodes } from '../profile/profile-api.decorators.js';
import { AdminUserDetailDto, AdminUserPageDto } from './dto/admin-user-detail.dto.js';
import { BanUserBody } from './dto/ban-user.body.js';
import { FindUsersQuery } from './dto/find-users.query.js';
import { MergeUsersBody } from './dto/merge-users.body.js';
import { AdminUsers } from './admin-users.service.js';
import { OperatorAuditInterceptor } from './operator-audit.interceptor.js';
import { operatorOf } from './operator.guard.js';
import { OperatorOnly } from './operator-only.decorator.js';
import { UserBans, type OperatorAct } from './user-bans.service.js';

/** A path id that is not a positive integer: 400 like any other bad input. */
const USER_ID = new ParseIntPipe({
  exceptionFactory: () => apiError('VALIDATION_FAILED', 'The user id must be a positive integer'),
});

/** Operators acting on users. Every call is audited with the operator's name. */
@ApiTags('admin')
@OperatorOnly()
@ApiErrorCodes('OPERATOR_UNAUTHORIZED', 'OPERATOR_API_DISABLED')
@UseInterceptors(OperatorAuditInterceptor)
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsers,
    private readonly bans: UserBans,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Find users by id, openid, unionid or phone number (paged)',
    description: 'Every given filter must match. Oldest first; pass `next` as `after` for the next page.',
  })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrorCodes('VALIDATION_FAILED', 'DATABASE_UNAVAILABLE')
  find(@ValidQuery() query: FindUsersQuery): Promise<AdminUserPageDto> {
    return this.users.find(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user with their identities and live sessions' })
  @ApiOkResponse({ type: AdminUserDetailDto })
  @ApiErrorCodes('USER_NOT_FOUND', 'DATABASE_UNAVAILABLE', 'SESSION_STORE_UNAVAILABLE')
  read(@Param('id', USER_ID) id: number): Promise<AdminUserDetailDto> {
    return this.users.read(id);
  }

  @Delete(':id/sessions/:sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: "Revoke one of the user's sessions" })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiErrorCodes('USER_NOT_FOUND', 'SESSION_NOT_FOUND', 'SESSION_STORE_UNAVAILABLE')
  async revokeSession(
    @Param('id', USER_ID) id: number,
    @Param('sessionId') sessionId: string,
  ): Promise<void> {
    if (!(await this.users.revokeSession(id, sessionId))) {
      throw apiError('SESSION_NOT_FOUND', 'The user has no live session with this id');
    }
  }

  @Delete(':id/sessions')
  @ApiOperation({ summary: 'Revoke every session of the user (log them out everywhere)' })
  @ApiOkResponse({ description: 'How many sessions ended', schema: { example: { revoked: 2 } } })
  @ApiErrorCodes('USER_NOT_FOUND', 'SESSION_STORE_UNAVAILABLE')
  async revokeAll(@Param('id', USER_ID) id: number): Promise<{ revoked: number }> {
    return { revoked: await this.users.revokeAll(id) };
  }

  @Post(':id/ban')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ban the user: every session ends now, logins answer 403 USER_BANNED',
    description:
      'Sessions live in the shared store, so every instance refuses the user at once; a second sweep a ' +
      'second later ends a session a login was issuing while the ban landed.',
  })
  @ApiOkResponse({ description: 'Sessions ended at once', schema: { example: { revoked: 2 } } })
  @ApiErrorCodes('VALIDATION_FAILED', 'USER_NOT_FOUND', 'DATABASE_UNAVAILABLE', 'SESSION_STORE_UNAVAILABLE')
  async ban(
    @Param('id', USER_ID) id: number,
    @ValidBody() body: BanUserBody,
    @Req() request: unknown,
  ): Promise<{ revoked: number }> {
    return { revoked: await this.bans.ban(id, body.reason ?? null, actOf(request)) };
  }

  @Post(':id/unban')
  @HttpCode(204)
  @ApiOperation({ summary: 'Lift a ban: the user may log in again' })
  @ApiNoContentResponse({ description: 'Unbanned (or was not banned)' })
  @ApiErrorCodes('USER_NOT_FOUND', 'DATABASE_UNAVAILABLE')
  unban(@Param('id', USER_ID) id: number, @Req() request: unknown): Promise<void> {
    return this.bans.unban(id, actOf(request));
  }

  @Post(':id/merge')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Merge another user into this one (one person with two accounts)',
    description:
      "Moves the other user's identities, sessions and the profile fields this user lacks (README " +
      '"One person across WeChat" gives the precedence), in one transaction, then deletes the other ' +
      'user. 409 ACCOUNT_CONFLICT when they have identities in one app or two different unionids.',
  })
  @ApiOkResponse({ type: AdminUserDetailDto })
  @ApiErrorCodes(
    'VALIDATION_FAILED',
    'USER_NOT_FOUND',
    'ACCOUNT_CONFLICT',
    'DATABASE_UNAVAILABLE',
    'SESSION_STORE_UNAVAILABLE',
  )
  async merge(
    @Param('id', USER_ID) id: number,
    @ValidBody() body: MergeUsersBody,
    @Req() request: unknown,
  ): Promise<AdminUserDetailDto> {
    if (body.fromUserId === id) throw apiError('VALIDATION_FAILED', 'fromUserId must be another user');
    await this.users.merge(id, body.fromUserId, actOf(request));
    return this.users.read(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the user, as DELETE /users/me does',
    description:
      'Stored avatar (unless shared), the row with profile and phone, the session_key, every session.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrorCodes('USER_NOT_FOUND', 'DATABASE_UNAVAILABLE', 'SESSION_STORE_UNAVAILABLE')
  delete(@Param('id', USER_ID) id: number, @Req() request: unknown): Promise<void> {
    return this.users.delete(id, actOf(request));
  }
}

const actOf = (request: unknown): OperatorAct => ({ operator: operatorOf(request), request });
