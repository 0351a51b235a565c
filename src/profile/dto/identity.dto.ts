import { ApiProperty } from '../../swagger/api-docs.decorators.js';
import { IDENTITY_KINDS, type IdentityKind } from '../../auth/index.js';
import type { UserIdentity } from '../../user/user.service.js';

/** One way the person logs in: an app's openid for them (README "One person across WeChat"). @publicApi */
export class IdentityDto {
  @ApiProperty({ enum: IDENTITY_KINDS, example: 'mini_program' })
  kind!: IdentityKind;

  @ApiProperty({ example: 'wx4f4bc4dec97d474b' })
  appid!: string;

  @ApiProperty({ example: 'o_example_openid' })
  openid!: string;

  @ApiProperty({ example: '2026-11-21T06:00:00.000Z' })
  firstSeenAt!: string;

  @ApiProperty({ example: '2026-11-30T08:00:00.000Z' })
  lastSeenAt!: string;
}

/** One identity as the OpenAPI examples show it (account export, operator detail). */
export const IDENTITY_EXAMPLE: IdentityDto = {
  kind: 'mini_program',
  appid: 'wx4f4bc4dec97d474b',
  openid: 'o_example_openid',
  firstSeenAt: '2026-11-21T06:00:00.000Z',
  lastSeenAt: '2026-11-30T08:00:00.000Z',
};

export function mapIdentity({ kind, appid, openid, firstSeenAt, lastSeenAt }: UserIdentity): IdentityDto {
  return {
    kind,
    appid,
    openid,
    firstSeenAt: firstSeenAt.toISOString(),
    lastSeenAt: lastSeenAt.toISOString(),
  };
}
