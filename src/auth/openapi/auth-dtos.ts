import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorResponseBody } from '../../common/api.exception.js';
import { LOGIN_APPID_PATTERN, LOGIN_CODE_PATTERN, type LoginRequest } from '../dto/login-request.js';
import type { LoginResponse } from '../dto/login-response.js';
import type { SessionSummary } from '../dto/session-summary.js';

// OpenAPI schemas of the auth module's bodies. The module itself works with the plain interfaces
// these classes implement; only `documentAuthApi()` and apps that describe their own routes load them.

/** Schema of every error body. @publicApi */
export class ErrorResponseDto implements ErrorResponseBody {
  @ApiProperty({ example: 401 })
  statusCode!: number;

  @ApiProperty({ description: 'Stable machine-readable code', example: 'SESSION_INVALID' })
  code!: string;

  @ApiProperty({ example: 'No valid session token; call wx.login and log in again' })
  message!: string;

  @ApiPropertyOptional({
    description:
      'Also sent as X-Request-Id and logged with the request (absent in apps without our error filter)',
    example: '0b6f3c2e-6a51-4c1e-9d0f-5a7d2b3e9c41',
  })
  requestId?: string;

  @ApiPropertyOptional({
    description: '`GET /health/ready` (503) only: the dependencies that did not answer',
    example: ['redis'],
    type: [String],
  })
  failing?: string[];

  @ApiPropertyOptional({
    description:
      '`ACCOUNT_CONFLICT` (409) only: the existing accounts the login points at, how each matched, and ' +
      'whether a login with `merge: true` may join them',
    example: {
      mergeable: true,
      accounts: [
        {
          matchedBy: ['identity'],
          apps: [{ appid: 'wx0123456789abcdef', kind: 'mini_program' }],
          createdAt: '2026-10-01T08:00:00.000Z',
        },
        {
          matchedBy: ['unionid'],
          apps: [{ appid: 'wx4f4bc4dec97d474b', kind: 'mini_program' }],
          createdAt: '2026-11-20T09:30:00.000Z',
        },
      ],
    },
  })
  conflict?: { accounts: unknown[]; mergeable: boolean };
}

/** @publicApi */
export class LoginRequestDto implements LoginRequest {
  @ApiProperty({
    description: 'The code from wx.login(); single use, valid 5 minutes',
    example: '0716AVll20uHk94SLDml27etM946AVlq',
    pattern: LOGIN_CODE_PATTERN.source,
  })
  code!: string;

  @ApiPropertyOptional({
    description: 'Which configured mini program; defaults to the first',
    // The server's development app (DEVELOPMENT_WECHAT_APP, config/wechat.config.ts; auth/ imports no
    // config): Swagger's prefilled login then reaches the simulator `npm start` runs, not UNKNOWN_APPID.
    example: 'wx0123456789abcdef',
    pattern: LOGIN_APPID_PATTERN.source,
  })
  appid?: string;

  @ApiPropertyOptional({
    description:
      "The phone-number button's code (`getPhoneNumber` → `e.detail.code`): the login also verifies and " +
      'binds the number, and joins the person who already owns it (README "One person across WeChat")',
    example: 'e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144',
    pattern: LOGIN_CODE_PATTERN.source,
  })
  phoneCode?: string;

  @ApiPropertyOptional({
    description:
      'After a 409 ACCOUNT_CONFLICT the person confirmed: merge the accounts the login points at instead',
    example: false,
  })
  merge?: boolean;
}

/** `user` is described by `documentAuthApi({ userSnapshot })`: its shape is the host app's. @publicApi */
export class LoginResponseDto implements LoginResponse {
  @ApiProperty({
    description: 'Opaque session token; send as `Authorization: Bearer <token>`',
    example: 'q5L0u1cVZ3o4Jm2bWbq6r0m9yX8nTQ2mHk1Jv8pYc3E',
  })
  token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({
    description: 'When the session expires if unused (it slides with use, up to an absolute cap)',
    example: '2026-11-28T06:00:00.000Z',
  })
  expiresAt!: string;

  user!: Record<string, unknown> | null;
}

/** @publicApi */
export class SessionSummaryDto implements SessionSummary {
  @ApiProperty({ example: 'Xq3v9JkT2bN8aLp0' })
  id!: string;

  @ApiProperty({ description: 'True for the session making this request', example: true })
  current!: boolean;

  @ApiProperty({ example: '2026-11-21T06:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-21T07:10:00.000Z' })
  lastSeenAt!: string;

  @ApiProperty({ example: '2026-11-28T07:10:00.000Z' })
  expiresAt!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50 miniProgram',
  })
  userAgent!: string | null;
}
