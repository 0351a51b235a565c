import { ApiPropertyOptional } from '../../swagger/api-docs.decorators.js';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  MaxLength,
  registerDecorator,
  ValidateIf,
  type ValidationArguments,
} from '../../http/class-validator.js';
import { NICKNAME_MAX_CODE_POINTS, normalizeNickname } from '../../user/nickname.js';
import { LANGUAGE_MAX_CODE_POINTS, REGION_MAX_CODE_POINTS } from '../../user/profile-text.js';
import { IsNickname, IsWechatNickName } from '../is-nickname.validator.js';
import { IsProfileText } from '../is-profile-text.validator.js';
import { IsPublicUrl } from '../is-public-url.validator.js';
import {
  WECHAT_ANONYMOUS_AVATAR_URLS,
  WECHAT_ANONYMOUS_NICKNAME,
  httpsWechatAvatarUrl,
} from '../wechat-user-info.js';

/** Longest avatar URL the `users.avatar_url` column holds. */
export const AVATAR_URL_MAX_LENGTH = 512;

/**
 * Which values of a `PATCH /users/me` body are WeChat's anonymous placeholders, skipped (never stored,
 * never an error). Shown in the OpenAPI document; docs/api.md's PATCH /users/me section says the same.
 */
export const PROFILE_PLACEHOLDER_RULE =
  'WeChat answers `wx.getUserInfo`/`wx.getUserProfile` with an anonymous profile, whose values never ' +
  'overwrite a stored one: they are skipped, not refused, and a body of nothing but placeholders changes ' +
  `nothing and answers the current profile. Placeholders (after trimming): \`nickName\` or \`nickname\` "${WECHAT_ANONYMOUS_NICKNAME}"; ` +
  '`nickName` ""; `avatarUrl` "" or the grey default avatar ' +
  `${WECHAT_ANONYMOUS_AVATAR_URLS.map((url) => `\`${url}\``).join(', ')} (also over http, and with the ` +
  'size suffix /0, /46, /64 or /96); `province`, `city`, `country`, `language` ""; and `gender` 0 in a ' +
  'userInfo-shaped body, i.e. one that contains `nickName` (WeChat has sent 0 for everyone since 2021-10). ' +
  'With our own spelling (`nickname`, no `nickName`) gender 0 is stored, and a blank `nickname` is refused. ' +
  'A body with `is_demote: true` (the flag WeChat adds to the anonymous userInfo) stores nothing at all.';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** Trimmed and NFC-normalised: validated, compared and stored in that form. */
const nickname = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? normalizeNickname(value) : value;

/**
 * `PATCH /users/me`. Every field is optional; unknown fields (an `openid`, a `userId`) are refused by
 * the body's ValidationPipe: who is being updated comes from the session only. Accepts both our
 * spelling and WeChat's userInfo object as `wx.getUserProfile` returns it (`nickName`, `province`…);
 * placeholders are skipped by ProfileUpdateService (see {@link PROFILE_PLACEHOLDER_RULE}).
 * @publicApi
 */
export class UpdateProfileDto {
  @ApiPropertyOptional({
    description:
      `What the user typed in \`<input type="nickname">\`. Trimmed, then 1–${NICKNAME_MAX_CODE_POINTS} ` +
      'Unicode code points after NFC normalisation; emoji welcome; control characters, variation-selector ' +
      'padding, bidi controls, tag characters outside flag emoji, invisible-only text and more than 4 ' +
      'combining marks on one character refused. ' +
      `With content checking on, screened by WeChat msgSecCheck first. "${WECHAT_ANONYMOUS_NICKNAME}" is ` +
      'skipped as a placeholder.',
    example: '小明😀',
    minLength: 1,
    maxLength: NICKNAME_MAX_CODE_POINTS,
  })
  @ValidateIf((_dto: UpdateProfileDto, value: unknown) => value !== undefined)
  @Transform(nickname)
  @IsNickname()
  @IsString()
  nickname?: string;

  @ApiPropertyOptional({
    description:
      "WeChat userInfo's spelling of `nickname` (as `wx.getUserProfile`/`wx.getUserInfo` return it), so the " +
      'userInfo object can be sent as is. Same rules as `nickname`, except that "" and ' +
      `"${WECHAT_ANONYMOUS_NICKNAME}" are skipped as placeholders. Sending both spellings with different ` +
      'values is refused. A body containing `nickName` is userInfo-shaped: `gender` 0 in it is skipped.',
    example: '小明😀',
    maxLength: NICKNAME_MAX_CODE_POINTS,
  })
  @ValidateIf((_dto: UpdateProfileDto, value: unknown) => value !== undefined)
  @Transform(nickname)
  @AgreesWithNickname()
  @IsWechatNickName()
  @IsString()
  nickName?: string;

  @ApiPropertyOptional({
    description:
      'An https image URL (e.g. on your CDN), or null to remove the avatar. No user:password@, no localhost ' +
      'and no loopback/private/link-local/unspecified IP address. To store the image picked with ' +
      '`open-type="chooseAvatar"`, upload it to `POST /users/me/avatar` instead. WeChat avatar URLs sent ' +
      'over http (`http://*.qlogo.cn/…`) are stored as https. "" and the grey default avatar are skipped.',
    example: 'https://cdn.example.com/avatars/3f2a.png',
    nullable: true,
    type: String,
    maxLength: AVATAR_URL_MAX_LENGTH,
  })
  @ValidateIf(
    (_dto: UpdateProfileDto, value: unknown) => value !== undefined && value !== null && value !== '',
  )
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? httpsWechatAvatarUrl(value.trim()) : value,
  )
  @MaxLength(AVATAR_URL_MAX_LENGTH)
  @IsPublicUrl()
  @IsUrl(
    { protocols: ['https'], require_protocol: true, require_tld: true },
    { message: 'avatarUrl must be an https URL' },
  )
  avatarUrl?: string | null;

  @ApiPropertyOptional({
    description: '0 unknown, 1 male, 2 female. 0 is skipped in a userInfo-shaped body (one with `nickName`).',
    enum: [0, 1, 2],
    example: 1,
  })
  @ValidateIf((_dto: UpdateProfileDto, value: unknown) => value !== undefined)
  @IsIn([0, 1, 2], { message: 'gender must be 0, 1 or 2' })
  @IsInt()
  gender?: 0 | 1 | 2;

  @ApiPropertyOptional({
    description:
      'The flag WeChat adds to the anonymous userInfo it hands the mini program, accepted so the object can ' +
      'be sent as is. `true`: the whole body is a placeholder and nothing is stored. Never stored itself.',
    example: false,
    type: Boolean,
  })
  @IsOptional()
  @IsBoolean()
  is_demote?: boolean;

  @ApiPropertyOptional(regionDocs('province', 'Guangdong', REGION_MAX_CODE_POINTS))
  @IsOptional()
  @Transform(trim)
  @IsProfileText(REGION_MAX_CODE_POINTS)
  province?: string | null;

  @ApiPropertyOptional(regionDocs('city', 'Guangzhou', REGION_MAX_CODE_POINTS))
  @IsOptional()
  @Transform(trim)
  @IsProfileText(REGION_MAX_CODE_POINTS)
  city?: string | null;

  @ApiPropertyOptional(regionDocs('country', 'China', REGION_MAX_CODE_POINTS))
  @IsOptional()
  @Transform(trim)
  @IsProfileText(REGION_MAX_CODE_POINTS)
  country?: string | null;

  @ApiPropertyOptional(regionDocs('language', 'zh_CN', LANGUAGE_MAX_CODE_POINTS))
  @IsOptional()
  @Transform(trim)
  @IsProfileText(LANGUAGE_MAX_CODE_POINTS)
  language?: string | null;
}

function regionDocs(field: string, example: string, max: number) {
  return {
    description:
      `WeChat userInfo's \`${field}\`, free text as WeChat sends it. Trimmed, then at most ${max} Unicode ` +
      'code points; emoji welcome, control characters refused. null removes it; "" is skipped as a placeholder.' +
      (field === 'country' ? " Not the phone number's `countryCode`." : ''),
    example,
    nullable: true,
    type: String,
    maxLength: max,
  };
}

/** `nickName` and `nickname` together must say the same (compared after trimming). */
function AgreesWithNickname(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'agreesWithNickname',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown, { object }: ValidationArguments) => {
          const nickname = (object as UpdateProfileDto).nickname;
          return nickname === undefined || nickname === value;
        },
        defaultMessage: () =>
          'nickname and nickName (its WeChat userInfo spelling) differ: send one of them, or the same value',
      },
    });
}
