import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { describeErrors, type ErrorCode } from '../../common/error-catalogue.js';
import { OAuthController } from '../oauth/oauth.controller.js';
import { ErrorResponseDto } from './auth-dtos.js';

type Method = 'authorize' | 'callback';

const APPID = ApiParam({
  name: 'appid',
  description: 'An Official Account or website app configured for the web login',
  example: 'wx0123456789abcde1',
});

/** The fragment codes: sent on the final 302, not as an error response. */
const FRAGMENT_ERRORS: ErrorCode[] = [
  'OAUTH_DENIED',
  'OAUTH_CODE_INVALID',
  'OAUTH_CODE_USED',
  'OAUTH_SNAPSHOT_USER',
  'WECHAT_RISK_BLOCKED',
  'WECHAT_RATE_LIMITED',
  'WECHAT_BAD_GATEWAY',
  'WECHAT_UNAVAILABLE',
  'USER_BANNED',
  'DATABASE_UNAVAILABLE',
  'ACCOUNT_CONFLICT',
];

const ROUTES: Record<Method, { decorators: MethodDecorator[]; errors: ErrorCode[] }> = {
  authorize: {
    decorators: [
      ApiOperation({
        summary: "Start a web login: 302 to WeChat's authorize page (Official Account) or QR page (website)",
        description:
          'Sets an HttpOnly, SameSite=Lax state cookie scoped to the callback (10 minutes, single use). ' +
          'Open it as a top-level navigation, not with fetch.',
      }),
      APPID,
      ApiQuery({
        name: 'redirect',
        required: true,
        description: 'The page to return to at the end: an absolute URL on an allow-listed origin',
        example: 'https://shop.example.com/account',
      }),
      ApiQuery({
        name: 'scope',
        required: false,
        enum: ['snsapi_base', 'snsapi_userinfo', 'snsapi_login'],
        description:
          'Official Account: `snsapi_base` (default, silent) or `snsapi_userinfo`; website: `snsapi_login` (default)',
      }),
      ApiQuery({
        name: 'merge',
        required: false,
        enum: ['true', 'false'],
        description:
          'After `#error=ACCOUNT_CONFLICT&mergeable=true` and the person agreeing: merge the accounts this login points at',
      }),
      ApiResponse({ status: 302, description: "To WeChat's page, with our callback and a fresh `state`" }),
    ],
    errors: ['VALIDATION_FAILED', 'UNKNOWN_APPID', 'OAUTH_REDIRECT_NOT_ALLOWED'],
  },
  callback: {
    decorators: [
      ApiOperation({
        summary:
          "WeChat's redirect back: checks the state, logs in, 302 to the page with the session in the fragment",
        description:
          "302 to the login's page with `#token=…&expiresAt=…` (use it as `Authorization: Bearer <token>`), " +
          'or with `#error=<CODE>` (`ACCOUNT_CONFLICT` adds `&mergeable=true|false`), one of: ' +
          FRAGMENT_ERRORS.map((code) => `\`${code}\``).join(', ') +
          ' (see the error codes). Never in the query.',
      }),
      APPID,
      ApiQuery({
        name: 'code',
        required: false,
        description: "WeChat's authorization code (absent: the user refused)",
      }),
      ApiQuery({ name: 'state', required: true, description: 'The state the start route sent' }),
      ApiResponse({
        status: 302,
        description: 'To the page, with `#token=…&expiresAt=…` or `#error=<CODE>`',
      }),
    ],
    errors: [
      'OAUTH_STATE_INVALID',
      'OAUTH_REDIRECT_NOT_ALLOWED',
      'UNKNOWN_APPID',
      'SESSION_STORE_UNAVAILABLE',
    ],
  },
};

/** Describes the web login's routes (called once by `documentAuthApi`). @internal */
export function documentOAuthApi(): void {
  ApiTags('auth')(OAuthController);
  for (const [name, route] of Object.entries(ROUTES) as [Method, (typeof ROUTES)[Method]][]) {
    const descriptor = Object.getOwnPropertyDescriptor(OAuthController.prototype, name)!;
    const errors = Object.entries(describeErrors(...route.errors)).map(([status, description]) =>
      ApiResponse({ status: Number(status), type: ErrorResponseDto, description }),
    );
    for (const decorator of [...route.decorators, ...errors])
      decorator(OAuthController.prototype, name, descriptor);
  }
}
