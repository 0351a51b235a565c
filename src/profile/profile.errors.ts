import { ApiException, wechatErrorToHttp } from '../auth/index.js';
import type { WechatApiError } from '../wechat/wechat-api.error.js';

/** Stable `code`s of the profile routes' own error responses. @publicApi */
export const ProfileErrorCode = {
  NICKNAME_REJECTED: 'NICKNAME_REJECTED',
  AVATAR_MISSING: 'AVATAR_MISSING',
  AVATAR_TOO_LARGE: 'AVATAR_TOO_LARGE',
  AVATAR_UNSUPPORTED_TYPE: 'AVATAR_UNSUPPORTED_TYPE',
  PHONE_CODE_INVALID: 'PHONE_CODE_INVALID',
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  QUERY_NOT_ALLOWED: 'QUERY_NOT_ALLOWED',
} as const;
export type ProfileErrorCode = (typeof ProfileErrorCode)[keyof typeof ProfileErrorCode];

export const nicknameRejected = () =>
  new ApiException(
    422,
    ProfileErrorCode.NICKNAME_REJECTED,
    'WeChat content security did not pass this nickname; choose another one',
  );

export const avatarMissing = () =>
  new ApiException(
    400,
    ProfileErrorCode.AVATAR_MISSING,
    'Send the image as multipart/form-data, e.g. wx.uploadFile({ name: "file" })',
  );

export const avatarTooLarge = (maxBytes: number) =>
  new ApiException(
    413,
    ProfileErrorCode.AVATAR_TOO_LARGE,
    `The avatar must be at most ${maxBytes / (1024 * 1024)} MB`,
  );

export const avatarUnsupportedType = () =>
  new ApiException(
    415,
    ProfileErrorCode.AVATAR_UNSUPPORTED_TYPE,
    'The avatar must be a PNG, JPEG or WebP image',
  );

export const phoneCodeInvalid = () =>
  new ApiException(
    400,
    ProfileErrorCode.PHONE_CODE_INVALID,
    'The phone code is invalid, expired, already used or not yours; tap the phone button again',
  );

/**
 * One answer for every decryption failure (no key, padding, JSON, watermark, stale key, signature), so
 * the route tells an attacker nothing about which check failed.
 */
export const decryptFailed = () =>
  new ApiException(
    400,
    ProfileErrorCode.DECRYPT_FAILED,
    'The encrypted data could not be verified; call wx.login, log in again, then fetch the data again and retry',
  );

export const userNotFound = () =>
  new ApiException(404, ProfileErrorCode.USER_NOT_FOUND, 'The user behind this session no longer exists');

export const databaseUnavailable = () =>
  new ApiException(
    503,
    'DATABASE_UNAVAILABLE',
    'The user database is temporarily unavailable; retry shortly',
    {
      'Retry-After': '2',
    },
  );

export const queryNotAllowed = () =>
  new ApiException(
    400,
    ProfileErrorCode.QUERY_NOT_ALLOWED,
    'This route takes no query parameters: who you are comes from the session token only',
  );

/**
 * WeChat failures on the profile routes: the login mapping, with messages that do not send the user
 * back to wx.login for a transient upstream problem.
 */
export function upstreamError(error: WechatApiError) {
  return wechatErrorToHttp(error, {
    BUSY: {
      status: 503,
      code: 'WECHAT_UNAVAILABLE',
      message: 'WeChat is busy; retry shortly',
      retryAfter: 1,
    },
    TIMEOUT: {
      status: 503,
      code: 'WECHAT_UNAVAILABLE',
      message: 'WeChat did not answer in time; retry shortly',
      retryAfter: 2,
    },
    RATE_LIMITED: {
      status: 429,
      code: 'WECHAT_RATE_LIMITED',
      message: 'WeChat rate-limited this request; retry later',
      retryAfter: 60,
    },
  });
}
