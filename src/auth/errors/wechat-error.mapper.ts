import { WechatApiError, type WechatErrorKind } from '../../wechat/wechat-api.error.js';
import { ApiException } from '../../common/api.exception.js';
import type { AuthErrorCode } from './auth.exception.js';

interface Mapping {
  status: number;
  code: AuthErrorCode;
  message: string;
  retryAfter?: number;
}

// Messages are ours: WeChat's errmsg is never echoed (it can carry rids and hints meant for us).
const LOGIN_MAPPINGS: Record<WechatErrorKind, Mapping> = {
  CODE_INVALID: {
    status: 401,
    code: 'LOGIN_CODE_INVALID',
    message: 'The login code is invalid or expired; call wx.login for a new one',
  },
  CODE_USED: {
    status: 401,
    code: 'LOGIN_CODE_USED',
    message: 'The login code was already used; call wx.login for a new one',
  },
  RISK_BLOCKED: {
    status: 403,
    code: 'WECHAT_RISK_BLOCKED',
    message: 'WeChat blocked this login as high-risk',
  },
  RATE_LIMITED: {
    status: 429,
    code: 'WECHAT_RATE_LIMITED',
    message: 'WeChat rate-limited this login; retry later',
    retryAfter: 60,
  },
  BUSY: {
    status: 503,
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat is busy; call wx.login and retry',
    retryAfter: 1,
  },
  TIMEOUT: {
    status: 503,
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat did not answer in time; call wx.login and retry',
    retryAfter: 2,
  },
  UNREACHABLE: {
    status: 503,
    code: 'WECHAT_UNAVAILABLE',
    message: 'WeChat is unreachable; retry shortly',
    retryAfter: 5,
  },
  TOKEN_INVALID: { status: 502, code: 'WECHAT_BAD_GATEWAY', message: 'WeChat rejected our credentials' },
  SIGNATURE_INVALID: { status: 502, code: 'WECHAT_BAD_GATEWAY', message: 'WeChat rejected our request' },
  MISCONFIGURED: {
    status: 502,
    code: 'WECHAT_BAD_GATEWAY',
    message: 'The WeChat integration is misconfigured',
  },
  MALFORMED: {
    status: 502,
    code: 'WECHAT_BAD_GATEWAY',
    message: 'WeChat answered with something unexpected',
  },
};

/** Maps a WeChat failure to the response the mini program gets. One table, used by every route. */
export function wechatErrorToHttp(
  error: WechatApiError,
  overrides: Partial<Record<WechatErrorKind, Mapping>> = {},
): ApiException {
  const mapping = overrides[error.kind] ?? LOGIN_MAPPINGS[error.kind] ?? LOGIN_MAPPINGS.MALFORMED;
  const retryAfter = error.retryAfterSeconds ?? mapping.retryAfter;
  const headers: Record<string, string> =
    retryAfter !== undefined && (mapping.status === 429 || mapping.status === 503)
      ? { 'Retry-After': String(retryAfter) }
      : {};
  return new ApiException(mapping.status, mapping.code, mapping.message, headers);
}
