import { ApiProperty } from '../../swagger/api-docs.decorators.js';
import type { User } from '../../user/user.entity.js';

/** A user as an operator sees it: identifiers and ban state included, never a session_key. */
export class AdminUserDto {
  @ApiProperty({ example: 42 })
  id!: number;

  @ApiProperty({ example: 'wx4f4bc4dec97d474b' })
  appid!: string;

  @ApiProperty({ example: 'o_example_openid' })
  openid!: string;

  @ApiProperty({ nullable: true, type: String, example: 'o_example_unionid' })
  unionid!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '小明😀' })
  nickname!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'https://api.example.com/avatars/3f2a.jpg' })
  avatarUrl!: string | null;

  @ApiProperty({ nullable: true, type: String, example: '13800138000' })
  phoneNumber!: string | null;

  @ApiProperty({ example: '2026-11-21T06:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, example: '2026-11-30T08:00:00.000Z' })
  lastLoginAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: '2026-11-30T10:00:00.000Z',
    description: 'When an operator banned the user; null: not banned',
  })
  bannedAt!: string | null;

  @ApiProperty({ nullable: true, type: String, example: 'spam' })
  banReason!: string | null;
}

export function mapAdminUser(user: User): AdminUserDto {
  const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
  return {
    id: user.id,
    appid: user.appid,
    openid: user.openid,
    unionid: user.unionid,
    nickname: user.nickname,
    avatarUrl: user.avatarUrl,
    phoneNumber: user.phoneNumber,
    createdAt: new Date(user.createdAt).toISOString(),
    lastLoginAt: iso(user.lastLoginAt),
    bannedAt: iso(user.bannedAt),
    banReason: user.banReason,
  };
}
