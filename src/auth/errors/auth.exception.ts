import { apiError, errorCodes } from '../../common/error-catalogue.js';

/** Stable `code`s of the auth module's error responses: its view of `ERROR_CATALOGUE`. @publicApi */
export const AuthErrorCode = errorCodes(
  'USER_BANNED',
  'VALIDATION_FAILED',
  'SESSION_INVALID',
  'SESSION_EXPIRED',
  'SESSION_NOT_FOUND',
  'SESSION_WRONG_APP',
  'CLOUD_HOSTING_IDENTITY_MISSING',
  'SESSION_STORE_UNAVAILABLE',
  'UNKNOWN_APPID',
  'LOGIN_CODE_INVALID',
  'LOGIN_CODE_USED',
  'WECHAT_RISK_BLOCKED',
  'WECHAT_RATE_LIMITED',
  'WECHAT_UNAVAILABLE',
  'WECHAT_BAD_GATEWAY',
  'DATABASE_UNAVAILABLE',
);
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

const BEARER_CHALLENGE = 'Bearer realm="weapp-auth"';

export const sessionInvalid = () =>
  apiError('SESSION_INVALID', 'No valid session token; call wx.login and log in again', {
    'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token"`,
  });

export const sessionExpired = () =>
  apiError('SESSION_EXPIRED', 'The session has expired; call wx.login and log in again', {
    'WWW-Authenticate': `${BEARER_CHALLENGE}, error="invalid_token", error_description="expired"`,
  });

export const sessionNotFound = () => apiError('SESSION_NOT_FOUND', 'You have no session with this id');

export const sessionStoreUnavailable = () =>
  apiError('SESSION_STORE_UNAVAILABLE', 'Sessions are temporarily unavailable; retry shortly', {
    'Retry-After': '2',
  });

export const databaseUnavailable = () =>
  apiError('DATABASE_UNAVAILABLE', 'The user database is temporarily unavailable; retry shortly', {
    'Retry-After': '2',
  });

export const userBanned = () => apiError('USER_BANNED', 'This account is suspended');

export const unknownAppid = () => apiError('UNKNOWN_APPID', 'This service does not serve that appid');

export const sessionWrongApp = () =>
  apiError('SESSION_WRONG_APP', 'This route does not accept sessions of the app you logged in with');
