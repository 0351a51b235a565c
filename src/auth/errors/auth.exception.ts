import { ApiException } from '../../common/api.exception.js';

/** Stable `code`s of the auth module's error responses. @publicApi */
export const AuthErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  SESSION_INVALID: 'SESSION_INVALID',
  SESSION_EXPIRED: 'SESSION_EXPIRED',
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  SESSION_STORE_UNAVAILABLE: 'SESSION_STORE_UNAVAILABLE',
  UNKNOWN_APPID: 'UNKNOWN_APPID',
  LOGIN_CODE_INVALID: 'LOGIN_CODE_INVALID',
  LOGIN_CODE_USED: 'LOGIN_CODE_USED',
  WECHAT_RISK_BLOCKED: 'WECHAT_RISK_BLOCKED',
  WECHAT_RATE_LIMITED: 'WECHAT_RATE_LIMITED',
  WECHAT_UNAVAILABLE: 'WECHAT_UNAVAILABLE',
  WECHAT_BAD_GATEWAY: 'WECHAT_BAD_GATEWAY',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

const BEARER_CHALLENGE = 'Bearer realm="weapp-auth"';

export const sessionInvalid = () =>
  new ApiException(
    401,
    AuthErrorCode.SESSION_INVALID,
    'No valid session token; call wx.login and log in again',
    {
      'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token"`,
    },
  );

export const sessionExpired = () =>
  new ApiException(
    401,
    AuthErrorCode.SESSION_EXPIRED,
    'The session has expired; call wx.login and log in again',
    {
      'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token", error_description="expired"`,
    },
  );

export const sessionNotFound = () =>
  new ApiException(404, AuthErrorCode.SESSION_NOT_FOUND, 'You have no session with this id');

export const sessionStoreUnavailable = () =>
  new ApiException(
    503,
    AuthErrorCode.SESSION_STORE_UNAVAILABLE,
    'Sessions are temporarily unavailable; retry shortly',
    {
      'Retry-After': '2',
    },
  );

export const databaseUnavailable = () =>
  new ApiException(
    503,
    AuthErrorCode.DATABASE_UNAVAILABLE,
    'The user database is temporarily unavailable; retry shortly',
    {
      'Retry-After': '2',
    },
  );

export const unknownAppid = () =>
  new ApiException(400, AuthErrorCode.UNKNOWN_APPID, 'This service does not serve that appid');
