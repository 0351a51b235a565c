import { applyDecorators, Controller, Get, HttpCode, Patch, Put, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../swagger/api-docs.decorators.js';
import { RouteSchema } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import {
  Authenticated,
  CurrentSession,
  CurrentUser,
  type AuthenticatedSession,
  type CurrentUserContext,
} from '../auth/index.js';
import { ValidBody } from '../http/validated-body.decorator.js';
import { UserProfileDto } from './dto/user-profile.dto.js';
import { USER_PROFILE_RESPONSE } from './dto/user-profile.schema.js';
import { AVATAR_MAX_BYTES } from './avatar.constants.js';
import { AvatarStorageService } from './avatar-storage.service.js';
import { BindPhoneDto } from './dto/bind-phone.dto.js';
import { DecryptOpenDataDto } from './dto/decrypt-open-data.dto.js';
import { DECRYPTED_DATA_SCHEMA } from './dto/decrypted-data.schema.js';
import { PROFILE_PLACEHOLDER_RULE, UpdateProfileDto } from './dto/update-profile.dto.js';
import { NoQueryParamsGuard } from './no-query-params.guard.js';
import { OpenDataService } from './open-data.service.js';
import { PhoneBindingService } from './phone-binding.service.js';
import {
  ApiErrors,
  QUERY_ERRORS,
  DATABASE_DOWN,
  VALIDATION_ERRORS,
  USER_GONE,
  WECHAT_CALL_LIMITS,
  WECHAT_DOWN,
} from './profile-api.decorators.js';
import { ThrottlePerUser } from '../rate-limit/throttle.decorator.js';
import { ProfileUpdateService } from './profile-update.service.js';

@ApiTags('users')
@Controller('users/me')
@UseGuards(NoQueryParamsGuard)
export class UsersController {
  constructor(
    private readonly profiles: ProfileUpdateService,
    private readonly avatars: AvatarStorageService,
    private readonly phones: PhoneBindingService,
    private readonly openData: OpenDataService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The caller's profile",
    description: 'Served from the session (cached at login and on every change): no database query.',
  })
  @ApiOkResponse({ type: UserProfileDto })
  @ApiErrors({ 400: QUERY_ERRORS })
  @Authenticated()
  @RouteSchema(USER_PROFILE_RESPONSE)
  me(@CurrentSession() session: AuthenticatedSession): UserProfileDto | Promise<UserProfileDto> {
    return this.profiles.current(session);
  }

  @Patch()
  @ProfileUpdateDocs('Change nickname, avatar URL, gender or region; takes WeChat userInfo as is')
  update(
    @CurrentUser() caller: CurrentUserContext,
    @ValidBody() dto: UpdateProfileDto,
    @Req() request: FastifyRequest,
  ): Promise<UserProfileDto> {
    return this.profiles.update(caller, dto, request);
  }

  /** wx.request has no PATCH method, so mini programs send the same update as PUT. */
  @Put()
  @ProfileUpdateDocs(
    'Same as PATCH /users/me, for wx.request, which has no PATCH; takes WeChat userInfo as is',
  )
  updateViaPut(
    @CurrentUser() caller: CurrentUserContext,
    @ValidBody() dto: UpdateProfileDto,
    @Req() request: FastifyRequest,
  ): Promise<UserProfileDto> {
    return this.profiles.update(caller, dto, request);
  }

  @Post('avatar')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Upload the avatar picked with open-type="chooseAvatar" (wx.uploadFile)',
    description:
      `multipart/form-data with one file part (any field name; \`file\` recommended), at most ` +
      `${AVATAR_MAX_BYTES / (1024 * 1024)} MB, PNG, JPEG or WebP recognised by content, at most ` +
      '`AVATAR_MAX_DIMENSION` (6000) pixels a side. Re-encoded to an `AVATAR_SIZE` (256) pixel square JPEG ' +
      'without metadata, stored under its SHA-256 and served at `/avatars/<sha256>.jpg`; avatarUrl points ' +
      'there and the avatar stored before is let go. Per-user hourly limit ' +
      '(`RATE_LIMIT_AVATAR_UPLOADS_PER_USER_PER_HOUR`, 10).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary', description: 'PNG, JPEG or WebP, ≤ 2 MB' } },
    },
  })
  @ApiOkResponse({ type: UserProfileDto, description: 'The profile with its new avatarUrl' })
  @ApiErrors({
    400: '`AVATAR_MISSING` (not multipart, no file part, malformed body) or `QUERY_NOT_ALLOWED`',
    403: '`AVATAR_UPLOADS_DISABLED`: this deployment stores no avatars',
    413: '`AVATAR_TOO_LARGE`: over 2 MB',
    415: '`AVATAR_UNSUPPORTED_TYPE`: not a complete PNG, JPEG or WebP image',
    422: '`AVATAR_DIMENSIONS_TOO_LARGE`: wider or higher than `AVATAR_MAX_DIMENSION`',
    429: '`RATE_LIMITED`: the per-user hourly upload budget is spent',
    404: USER_GONE,
    503: DATABASE_DOWN,
    507: '`AVATAR_STORAGE_FULL`: the avatar volume is below `AVATAR_MIN_FREE_MB` free',
  })
  @ThrottlePerUser('avatarUploads')
  @Authenticated()
  @RouteSchema(USER_PROFILE_RESPONSE)
  uploadAvatar(
    @CurrentUser() caller: CurrentUserContext,
    @Req() request: FastifyRequest,
  ): Promise<UserProfileDto> {
    return this.avatars.upload(caller, request);
  }

  @Post('phone')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Bind the phone number from a getPhoneNumber button code',
    description:
      'Exchanges the code with WeChat (getuserphonenumber, bound to your openid) and stores phoneNumber, ' +
      'purePhoneNumber and countryCode.',
  })
  @ApiOkResponse({ type: UserProfileDto, description: 'The profile with its phone number' })
  @ApiErrors({
    400:
      '`PHONE_CODE_INVALID` (invalid, expired, used, or minted for another user or app: tap the button again), ' +
      VALIDATION_ERRORS,
    429: WECHAT_CALL_LIMITS,
    502: '`WECHAT_BAD_GATEWAY`: our WeChat integration or WeChat itself failed',
    404: USER_GONE,
    503: WECHAT_DOWN,
  })
  @Authenticated()
  @ThrottlePerUser('wechatCalls')
  @RouteSchema(USER_PROFILE_RESPONSE)
  bindPhone(
    @CurrentUser() caller: CurrentUserContext,
    @ValidBody() dto: BindPhoneDto,
    @Req() request: FastifyRequest,
  ): Promise<UserProfileDto> {
    return this.phones.bind(caller, dto.code, request);
  }

  @Post('decrypt')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Decrypt open data (getUserProfile & co, older base libraries)',
    description:
      'Decrypts with the key of your latest login: strict PKCS#7, watermark appid and age (15 min), and ' +
      'the rawData signature when sent. A user-info payload fills in the unionid and any profile field ' +
      'you have not set (the anonymous "微信用户" placeholder excepted). Returns the decrypted object.',
  })
  @ApiOkResponse({ schema: DECRYPTED_DATA_SCHEMA })
  @ApiErrors({
    400:
      '`DECRYPT_FAILED` (every decryption or verification failure: call wx.login, log in again, fetch the ' +
      'data again and retry), ' +
      VALIDATION_ERRORS,
    404: USER_GONE,
    503: DATABASE_DOWN,
  })
  @Authenticated()
  decrypt(
    @CurrentUser() caller: CurrentUserContext,
    @ValidBody() dto: DecryptOpenDataDto,
    @Req() request: FastifyRequest,
  ): Promise<Record<string, unknown>> {
    return this.openData.decrypt(caller, dto, request);
  }
}

/** The OpenAPI description shared by PATCH /users/me and its PUT alias. */
function ProfileUpdateDocs(summary: string) {
  return applyDecorators(
    ApiOperation({
      summary,
      description:
        "Only the fields sent change. Our spelling (`nickname`) and WeChat userInfo's (`nickName`, " +
        '`avatarUrl`, `gender`, `province`, `city`, `country`, `language`, as `wx.getUserProfile` returns ' +
        'them) are both accepted, any subset; other fields are refused. ' +
        PROFILE_PLACEHOLDER_RULE +
        ' With `WECHAT_CONTENT_CHECK=true` a new nickname must get `pass` from WeChat msgSecCheck; ' +
        '`review` and `risky` are both refused.',
    }),
    ApiBody({
      type: UpdateProfileDto,
      examples: {
        ours: {
          summary: 'Our spelling (nickname input, chooseAvatar upload elsewhere)',
          value: { nickname: '小明😀', gender: 1 },
        },
        userInfo: {
          summary: 'WeChat userInfo as wx.getUserProfile returns it',
          value: {
            nickName: '小程序用户😀',
            avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/example/132',
            gender: 1,
            province: 'Guangdong',
            city: 'Guangzhou',
            country: 'China',
            language: 'zh_CN',
          },
        },
      },
    }),
    ApiOkResponse({ type: UserProfileDto }),
    RouteSchema(USER_PROFILE_RESPONSE),
    ApiErrors({
      400: VALIDATION_ERRORS,
      422: '`NICKNAME_REJECTED`: WeChat content security did not pass the nickname',
      429: '`WECHAT_RATE_LIMITED` (content check), with Retry-After',
      502: '`WECHAT_BAD_GATEWAY` (content check)',
      404: USER_GONE,
      503: WECHAT_DOWN,
    }),
    Authenticated(),
  );
}
