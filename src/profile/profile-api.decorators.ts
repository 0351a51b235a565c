import { applyDecorators } from '@nestjs/common';
import { ApiDocs } from '../swagger/api-docs.decorators.js';
import { describeErrors, type ErrorCode } from '../common/error-catalogue.js';

/**
 * Documents a route's error answers, one description (naming its `code`s) per status; build the
 * descriptions with `describeErrors` (error-catalogue.ts). Swagger appends the description to one
 * `@Authenticated()` already gave the same status (401, 503), so list only the route's own codes here.
 */
export const ApiErrors = (errors: Record<number, string>) =>
  applyDecorators(
    ...Object.entries(errors).map(([status, description]) =>
      ApiDocs(({ swagger, auth }) =>
        swagger.ApiResponse({ status: Number(status), type: auth.ErrorResponseDto, description }),
      ),
    ),
  );

/** {@link ApiErrors} for `codes`, with their statuses and descriptions from the catalogue. */
export const ApiErrorCodes = (...codes: ErrorCode[]) => ApiErrors(describeErrors(...codes));

export const VALIDATION_ERRORS = describeErrors('VALIDATION_FAILED', 'QUERY_NOT_ALLOWED')[400];
export const QUERY_ERRORS = describeErrors('QUERY_NOT_ALLOWED')[400];
export const USER_GONE = describeErrors('USER_NOT_FOUND')[404];
export const DATABASE_DOWN = describeErrors('DATABASE_UNAVAILABLE')[503];
export const WECHAT_DOWN = describeErrors('WECHAT_UNAVAILABLE', 'DATABASE_UNAVAILABLE')[503];
/** Routes that call WeChat for the user (`@ThrottlePerUser('wechatCalls')`). */
export const WECHAT_CALL_LIMITS =
  '`RATE_LIMITED`: this user spent the WeChat-call budget (RATE_LIMIT_WECHAT_CALLS_PER_USER_PER_HOUR); ' +
  '`WECHAT_RATE_LIMITED`: WeChat refused; both with Retry-After';
