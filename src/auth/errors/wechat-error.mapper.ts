import { WechatApiError, type WechatErrorKind } from '../../wechat/wechat-api.error.js';
import type { ApiException } from '../../common/api.exception.js';
import { apiError, ERROR_CATALOGUE } from '../../common/error-catalogue.js';
import type { AuthErrorCode } from './auth.exception.js';

/** How one kind of WeChat failure is answered; the status is the code's, from `ERROR_CATALOGUE`. */
export interface WechatErrorMapping {
  code: AuthErrorCode;
  message: string;
  /** Retry-After seconds (429 and 503 only) when WeChat's error does not say. */
  retryAfter?: number;
}

// Messages are ours: WeChat's errmsg is never echoed (it can carry rids and hints meant for us).
const LOGIN_MAPPINGS: Record<WechatErrorKind, WechatErrorMapping> = {
  CODE_INVALID: {
    code: 'LOGIN_CODE_INVALID',
    message: 'The login code is invalid or expired; call wx.login for a new one',
  },
  CODE_USED: {
    code: 'LOGIN_CODE_USED',
    message: 'The login code was already used; call wx.login for a new one',
  },
  RISK_BLOCKED: {
    code: 'WECHAT_RISK_BLOCKED',
    message: 'WeChat blocked this login as high-risk',
  },
  RATE_LIMITED: {
    code: 'WECHAT_RATE_LIMITED',
    message: 'WeChat rate-limited this login; retry later',
    retryAfter: 60,
  },
  BUSY: {
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat is busy; call wx.login and retry',
    retryAfter: 1,
  },
  TIMEOUT: {
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat did not answer in time; call wx.login and retry',
    retryAfter: 2,
  },
  UNREACHABLE: {
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat is unreachable; retry shortly',
    retryAfter: 5,
  },
  TOKEN_INVALID: { code: 'WECHAT_BAD_GATEWAY', message: 'WeChat rejected our credentials' },
  SIGNATURE_INVALID: { code: 'WECHAT_BAD_GATEWAY', message: 'WeChat rejected our request' },
  MISCONFIGURED: {
    code: 'WECHAT_BAD_GATEWAY',
    message: 'The WeChat integration is misconfigured',
  },
  MALFORMED: {
    code: 'WECHAT_BAD_GATEWAY',
    message: 'WeChat answered with something unexpected',
  },
};

/** Maps a WeChat failure to the response the mini program gets. One table, used by every route. */
export function wechatErrorToHttp(
  error: WechatApiError,
  overrides: Partial<Record<WechatErrorKind, WechatErrorMapping>> = {},
): ApiException {
  const mapping = overrides[error.kind] ?? LOGIN_MAPPINGS[error.kind] ?? LOGIN_MAPPINGS.MALFORMED;
  const retryAfter = error.retryAfterSeconds ?? mapping.retryAfter;
  const status: number = ERROR_CATALOGUE[mapping.code].status;
  const headers: Record<string, string> =
    retryAfter !== undefined && (status === 429 || status === 503)
      ? { 'Retry-After': String(retryAfter) }
      : {};
  return apiError(mapping.code, mapping.message, headers);
}
