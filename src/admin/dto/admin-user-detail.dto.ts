import type { SessionSummary } from '../../auth/index.js';
import { IDENTITY_EXAMPLE, IdentityDto } from '../../profile/dto/identity.dto.js';
import { ApiDocs, ApiProperty } from '../../swagger/api-docs.decorators.js';
import { AdminUserDto } from './admin-user.dto.js';

/** A live session as an operator sees it: the user's own listing without `current`; never a token. */
export type AdminSession = Omit<SessionSummary, 'current'>;

export class AdminUserDetailDto extends AdminUserDto {
  @ApiProperty({
    type: [IdentityDto],
    example: [IDENTITY_EXAMPLE],
  })
  identities!: IdentityDto[];

  @ApiDocs(({ swagger, auth }) => {
    // Its schema, named AdminSessionDto; made here because OmitType needs Swagger loaded. Response only:
    // SessionSummaryDto has no validation rules to inherit.
    class AdminSessionDto extends swagger.OmitType(auth.SessionSummaryDto, ['current'] as const) {}
    return swagger.ApiProperty({
      type: [AdminSessionDto],
      example: [
        {
          id: 'Xc3lq0h2S8m1rT0a',
          createdAt: '2026-11-30T08:00:00.000Z',
          lastSeenAt: '2026-11-30T09:12:00.000Z',
          expiresAt: '2026-12-07T09:12:00.000Z',
          userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 miniProgram',
        },
      ],
    });
  })
  sessions!: AdminSession[];
}

export class AdminUserPageDto {
  @ApiProperty({
    type: [AdminUserDto],
    example: [
      {
        id: 42,
        appid: 'wx4f4bc4dec97d474b',
        openid: 'o_example_openid',
        unionid: null,
        nickname: '小明😀',
        avatarUrl: null,
        phoneNumber: null,
        createdAt: '2026-11-21T06:00:00.000Z',
        lastLoginAt: '2026-11-30T08:00:00.000Z',
        bannedAt: null,
        banReason: null,
      },
    ],
  })
  items!: AdminUserDto[];

  @ApiProperty({
    nullable: true,
    type: Number,
    example: 42,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  next!: number | null;
}
