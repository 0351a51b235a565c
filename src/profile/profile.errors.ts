import { wechatErrorToHttp } from '../auth/index.js';
import { apiError, errorCodes } from '../common/error-catalogue.js';
import type { WechatApiError } from '../wechat/wechat-api.error.js';

/** Stable `code`s of the profile routes' own error responses: their view of `ERROR_CATALOGUE`. @publicApi */
export const ProfileErrorCode = errorCodes(
  'NICKNAME_REJECTED',
  'AVATAR_MISSING',
  'AVATAR_TOO_LARGE',
  'AVATAR_UNSUPPORTED_TYPE',
  'AVATAR_NOT_FOUND',
  'AVATAR_DIMENSIONS_TOO_LARGE',
  'AVATAR_STORAGE_FULL',
  'AVATAR_UPLOADS_DISABLED',
  'PHONE_CODE_INVALID',
  'DECRYPT_FAILED',
  'USER_NOT_FOUND',
  'QUERY_NOT_ALLOWED',
);
export type ProfileErrorCode = (typeof ProfileErrorCode)[keyof typeof ProfileErrorCode];

export const nicknameRejected = () =>
  apiError('NICKNAME_REJECTED', 'WeChat content security did not pass this nickname; choose another one');

export const avatarMissing = () =>
  apiError('AVATAR_MISSING', 'Send the image as multipart/form-data, e.g. wx.uploadFile({ name: "file" })');

export const avatarTooLarge = (maxBytes: number) =>
  apiError('AVATAR_TOO_LARGE', `The avatar must be at most ${maxBytes / (1024 * 1024)} MB`);

export const avatarUnsupportedType = () =>
  apiError('AVATAR_UNSUPPORTED_TYPE', 'The avatar must be a complete PNG, JPEG or WebP image');

export const avatarDimensionsTooLarge = (maxDimension: number) =>
  apiError(
    'AVATAR_DIMENSIONS_TOO_LARGE',
    `The avatar may be at most ${maxDimension} pixels wide and ${maxDimension} pixels high`,
  );

export const avatarStorageFull = () =>
  apiError(
    'AVATAR_STORAGE_FULL',
    'Avatars cannot be stored right now; keep the current one and retry later',
    {
      'Retry-After': '600',
    },
  );

export const avatarUploadsDisabled = () =>
  apiError('AVATAR_UPLOADS_DISABLED', 'This service does not store avatars');

export const avatarNotFound = () => apiError('AVATAR_NOT_FOUND', 'No such avatar');

export const phoneCodeInvalid = () =>
  apiError(
    'PHONE_CODE_INVALID',
    'The phone code is invalid, expired, already used or not yours; tap the phone button again',
  );

/**
 * One answer for every decryption failure (no key, padding, JSON, watermark, stale key, signature), so
 * the route tells an attacker nothing about which check failed.
 */
export const decryptFailed = () =>
  apiError(
    'DECRYPT_FAILED',
    'The encrypted data could not be verified; call wx.login, log in again, then fetch the data again and retry',
  );

export const userNotFound = () => apiError('USER_NOT_FOUND', 'The user behind this session no longer exists');

export const databaseUnavailable = () =>
  apiError('DATABASE_UNAVAILABLE', 'The user database is temporarily unavailable; retry shortly', {
    'Retry-After': '2',
  });

export const queryNotAllowed = () =>
  apiError(
    'QUERY_NOT_ALLOWED',
    'This route takes no query parameters: who you are comes from the session token only',
  );

/** The Host header an avatar URL would be built from is missing or malformed. */
export const badHostHeader = () => apiError('BAD_REQUEST', 'The Host header is missing or malformed');

/**
 * WeChat failures on the profile routes: the login mapping, with messages that do not send the user
 * back to wx.login for a transient upstream problem.
 */
export function upstreamError(error: WechatApiError) {
  return wechatErrorToHttp(error, {
    BUSY: { code: 'WECHAT_UNAVAILABLE', message: 'WeChat is busy; retry shortly', retryAfter: 1 },
    TIMEOUT: {
      code: 'WECHAT_UNAVAILABLE',
      message: 'WeChat did not answer in time; retry shortly',
      retryAfter: 2,
    },
    RATE_LIMITED: {
      code: 'WECHAT_RATE_LIMITED',
      message: 'WeChat rate-limited this request; retry later',
      retryAfter: 60,
    },
  });
}
