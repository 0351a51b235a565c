import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import { NICKNAME_MAX_CODE_POINTS } from '../../user/nickname.js';
import { IsNickname } from '../is-nickname.validator.js';

/** Longest avatar URL the `users.avatar_url` column holds. */
export const AVATAR_URL_MAX_LENGTH = 512;

/**
 * `PATCH /users/me`. Every field is optional; unknown fields (an `openid`, a `userId`) are refused by
 * the global ValidationPipe: who is being updated comes from the session only.
 * @publicApi
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({
    description:
      `What the user typed in \`<input type="nickname">\`. Trimmed, then 1–${NICKNAME_MAX_CODE_POINTS} ` +
      'Unicode code points; emoji welcome, control characters and variation-selector padding refused. ' +
      'With content checking on, screened by WeChat msgSecCheck first.',
    example: '小明😀',
    minLength: 1,
    maxLength: NICKNAME_MAX_CODE_POINTS,
  })
  @ValidateIf((_dto: UpdateProfileDto, value: unknown) => value !== undefined)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsNickname()
  @IsString()
  nickname?: string;

  @ApiPropertyOptional({
    description:
      'An https image URL (e.g. on your CDN), or null to remove the avatar. To store the image picked with ' +
      '`open-type="chooseAvatar"`, upload it to `POST /users/me/avatar` instead.',
    example: 'https://cdn.example.com/avatars/3f2a.png',
    nullable: true,
    type: String,
    maxLength: AVATAR_URL_MAX_LENGTH,
  })
  @IsOptional()
  @MaxLength(AVATAR_URL_MAX_LENGTH)
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    { message: 'avatarUrl must be an https URL' },
  )
  avatarUrl?: string | null;

  @ApiPropertyOptional({ description: '0 unknown, 1 male, 2 female', enum: [0, 1, 2], example: 1 })
  @ValidateIf((_dto: UpdateProfileDto, value: unknown) => value !== undefined)
  @IsIn([0, 1, 2], { message: 'gender must be 0, 1 or 2' })
  @IsInt()
  gender?: 0 | 1 | 2;
}
