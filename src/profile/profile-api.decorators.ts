import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../auth/index.js';

/**
 * Documents a route's error answers, one description (naming its `code`s) per status. Swagger appends
 * the description to one `@Authenticated()` already gave the same status (401, 503), so list only the
 * route's own codes here.
 */
export const ApiErrors = (errors: Record<number, string>) =>
  applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiResponse({ status: Number(status), type: ErrorResponseDto, description }),
    ),
  );

export const VALIDATION_ERRORS =
  '`VALIDATION_FAILED` (bad or unknown body field, e.g. an `openid` or `userId`) or `QUERY_NOT_ALLOWED` ' +
  '(any query parameter: identity comes from the session token)';
export const QUERY_ERRORS = '`QUERY_NOT_ALLOWED`: this route takes no query parameters';
export const USER_GONE = '`USER_NOT_FOUND`: the session outlived its user';
export const DATABASE_DOWN = '`DATABASE_UNAVAILABLE`, with Retry-After';
export const WECHAT_DOWN =
  '`WECHAT_UNAVAILABLE` (WeChat busy, slow or unreachable) or `DATABASE_UNAVAILABLE`, with Retry-After';
