import { ApiProperty } from '../../swagger/api-docs.decorators.js';
import type { UserProfile } from '../../user/user-profile.js';

/** The OpenAPI schema of a {@link UserProfile}: what a client may see of a user. */
export class UserProfileDto implements UserProfile {
  @ApiProperty({ example: 42 })
  id!: number;

  @ApiProperty({ example: '小明😀', nullable: true, type: String })
  nickname!: string | null;

  @ApiProperty({ example: 'https://example.com/avatars/3f2a.png', nullable: true, type: String })
  avatarUrl!: string | null;

  @ApiProperty({ example: 0, description: '0 unknown, 1 male, 2 female', enum: [0, 1, 2] })
  gender!: number;

  @ApiProperty({
    example: 'Guangdong',
    nullable: true,
    type: String,
    description: "WeChat userInfo's province",
  })
  province!: string | null;

  @ApiProperty({ example: 'Guangzhou', nullable: true, type: String, description: "WeChat userInfo's city" })
  city!: string | null;

  @ApiProperty({
    example: 'China',
    nullable: true,
    type: String,
    description: "WeChat userInfo's country (not the phone number's countryCode)",
  })
  country!: string | null;

  @ApiProperty({ example: 'zh_CN', nullable: true, type: String, description: "WeChat userInfo's language" })
  language!: string | null;

  @ApiProperty({ example: '13800138000', nullable: true, type: String })
  phoneNumber!: string | null;

  @ApiProperty({ example: '86', nullable: true, type: String })
  countryCode!: string | null;

  @ApiProperty({ example: '2026-11-21T06:00:00.000Z' })
  createdAt!: string;
}
