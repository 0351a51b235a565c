import { ApiDocs, ApiProperty } from '../../swagger/api-docs.decorators.js';
import type { SessionSummary } from '../../auth/index.js';
import type { UserProfile } from '../../user/user-profile.js';
import { IDENTITY_EXAMPLE, IdentityDto } from './identity.dto.js';
import { UserProfileDto } from './user-profile.dto.js';

/** The phone number as bound with `POST /users/me/phone`. @publicApi */
export class ExportedPhoneDto {
  @ApiProperty({ example: '13800138000', nullable: true, type: String })
  phoneNumber!: string | null;

  @ApiProperty({ example: '13800138000', nullable: true, type: String })
  purePhoneNumber!: string | null;

  @ApiProperty({ example: '86', nullable: true, type: String })
  countryCode!: string | null;
}

/** The WeChat identifiers stored for the user: theirs to see (PIPL), never in any other answer. @publicApi */
export class ExportedWechatIdentityDto {
  @ApiProperty({ description: 'The app of the session that asked', example: 'wx4f4bc4dec97d474b' })
  appid!: string;

  @ApiProperty({ description: "The user's openid in that app", example: 'o_example_openid' })
  openid!: string;

  @ApiProperty({
    description: "The user's unionid, when the mini program is bound to an Open Platform account",
    example: 'o_example_unionid',
    nullable: true,
    type: String,
  })
  unionid!: string | null;
}

/**
 * `GET /users/me/export`: everything stored about the caller, read from the database (the profile,
 * the phone number, the WeChat identifiers, the account's times) and the session store (the live
 * sessions). Never a session token, its hash or a WeChat session key.
 * @publicApi
 */
export interface AccountExport {
  exportedAt: string;
  profile: UserProfile;
  phone: ExportedPhoneDto;
  wechat: ExportedWechatIdentityDto;
  /** Every app the person logs in with. */
  identities: IdentityDto[];
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
  sessions: SessionSummary[];
}

/** The OpenAPI schema of an {@link AccountExport}. */
export class AccountExportDto implements AccountExport {
  @ApiProperty({ example: '2026-11-30T12:00:00.000Z' })
  exportedAt!: string;

  @ApiProperty({ type: UserProfileDto, description: 'As `GET /users/me` serves it, read from the database' })
  profile!: UserProfileDto;

  @ApiProperty({ type: ExportedPhoneDto })
  phone!: ExportedPhoneDto;

  @ApiProperty({ type: ExportedWechatIdentityDto })
  wechat!: ExportedWechatIdentityDto;

  @ApiProperty({
    type: [IdentityDto],
    description: 'Every app the person logs in with',
    example: [IDENTITY_EXAMPLE],
  })
  identities!: IdentityDto[];

  @ApiProperty({
    description: 'When the account was created (first login)',
    example: '2026-11-21T06:00:00.000Z',
  })
  createdAt!: string;

  @ApiProperty({ description: 'When the stored user last changed', example: '2026-11-29T08:30:00.000Z' })
  updatedAt!: string;

  @ApiProperty({
    description: 'When the user last logged in',
    example: '2026-11-30T11:58:00.000Z',
    nullable: true,
    type: String,
  })
  lastLoginAt!: string | null;

  @ApiDocs(({ swagger, auth }) =>
    swagger.ApiProperty({
      type: auth.SessionSummaryDto,
      isArray: true,
      description: 'Live sessions, newest first, with their devices (user agent) and times',
      example: [
        {
          id: 'Xq3v9JkT2bN8aLp0',
          current: true,
          createdAt: '2026-11-30T11:58:00.000Z',
          lastSeenAt: '2026-11-30T11:59:00.000Z',
          expiresAt: '2026-12-07T11:59:00.000Z',
          userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 miniProgram',
        },
      ],
    }),
  )
  sessions!: SessionSummary[];
}
