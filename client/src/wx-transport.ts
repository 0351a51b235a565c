import { AuthClientError, ClientErrorCode } from './errors.js';
import type { HttpMethod, WechatUserInfoOptions, WxApi } from './types.js';

/** One HTTP answer, whichever `wx` call produced it. @internal */
export interface RawResponse {
  status: number;
  /** Response headers; `wx.uploadFile` gives none. */
  header: Record<string, unknown>;
  /** Parsed JSON when the body was JSON, else the raw text ('' when empty). */
  data: unknown;
}

/** @internal */
export interface WxRequestInit {
  url: string;
  method: HttpMethod;
  data?: WechatMiniprogram.IAnyObject | string;
  header: Record<string, string>;
  timeout?: number;
}

/** @internal */
export interface WxUploadInit {
  url: string;
  filePath: string;
  name: string;
  header: Record<string, string>;
  timeout?: number;
}

/** @internal */
export function wxRequest(wx: WxApi, init: WxRequestInit): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    wx.request({
      url: init.url,
      method: init.method,
      data: init.data,
      header: init.header,
      timeout: init.timeout,
      success: (res) => resolve({ status: res.statusCode, header: res.header ?? {}, data: res.data }),
      fail: (err) => reject(networkError(err)),
    });
  });
}

/** @internal */
export function wxUploadFile(wx: WxApi, init: WxUploadInit): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: init.url,
      filePath: init.filePath,
      name: init.name,
      header: init.header,
      timeout: init.timeout,
      // uploadFile hands back the body as text, whatever its type.
      success: (res) => resolve({ status: res.statusCode, header: {}, data: parseJsonText(res.data) }),
      fail: (err) => reject(networkError(err)),
    });
  });
}

/** Resolves with a fresh login code. @internal */
export function wxLogin(wx: WxApi, timeout?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout,
      success: (res) => {
        if (res.code) resolve(res.code);
        else reject(new AuthClientError({ code: ClientErrorCode.WX_LOGIN_FAILED, message: res.errMsg }));
      },
      fail: (err) =>
        reject(new AuthClientError({ code: ClientErrorCode.WX_LOGIN_FAILED, message: err.errMsg })),
    });
  });
}

/**
 * Whether WeChat still holds this user's session_key. `fail` is the only "no" the API gives, so any
 * failure counts as expired (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/login/wx.checkSession.html).
 * @internal
 */
export function wxCheckSession(wx: WxApi): Promise<boolean> {
  return new Promise((resolve) => {
    wx.checkSession({ success: () => resolve(true), fail: () => resolve(false) });
  });
}

/** What a failed wx call reports. @internal */
export interface WxFailure {
  errMsg?: string;
  errno?: number;
}

/**
 * The client error for a wx failure caused by the privacy gate, or undefined for any other failure.
 * WeChat reports a refused consent as `<api>:fail privacy permission is not authorized` (errno 104) and an
 * API missing from the app's privacy guide as `… api scope is not declared in the privacy agreement`
 * (errno 112) (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html).
 * @internal
 */
export function privacyError(failure: WxFailure | undefined): AuthClientError | undefined {
  const errMsg = failure?.errMsg ?? '';
  if (failure?.errno === 104 || errMsg.indexOf('privacy permission is not authorized') >= 0) {
    return new AuthClientError({ code: ClientErrorCode.PRIVACY_NOT_AUTHORIZED, message: errMsg });
  }
  if (failure?.errno === 112 || errMsg.indexOf('not declared in the privacy agreement') >= 0) {
    return new AuthClientError({ code: ClientErrorCode.PRIVACY_API_UNDECLARED, message: errMsg });
  }
  return undefined;
}

/**
 * WeChat's userInfo from `wx.getUserProfile` (asks the user every time; must be called from a tap), or
 * `wx.getUserInfo` on base libraries without it. Since 2022-11 both answer with the anonymous
 * placeholder (`微信用户`, grey avatar) for new releases.
 * @internal
 */
export function wxGetUserInfo(
  wx: WxApi,
  options: WechatUserInfoOptions,
): Promise<WechatMiniprogram.UserInfo> {
  return new Promise((resolve, reject) => {
    const fail = (err: WxFailure) =>
      reject(
        privacyError(err) ??
          new AuthClientError({ code: ClientErrorCode.USER_INFO_DENIED, message: err.errMsg ?? 'fail' }),
      );
    const success = (res: { userInfo: WechatMiniprogram.UserInfo }) => resolve(res.userInfo);
    if (wx.getUserProfile) {
      wx.getUserProfile({ desc: options.desc ?? DEFAULT_PROFILE_DESC, lang: options.lang, success, fail });
    } else if (wx.getUserInfo) {
      wx.getUserInfo({ lang: options.lang, success, fail });
    } else {
      reject(
        wxApiFailed({ errMsg: 'getUserProfile:fail this wx has neither getUserProfile nor getUserInfo' }),
      );
    }
  });
}

/** Shown in getUserProfile's sheet when the app gives no `desc` ("to complete your profile"). */
const DEFAULT_PROFILE_DESC = '用于完善用户资料';

/**
 * `wx.requirePrivacyAuthorize`: resolves once the user has agreed (at once if they already had); without
 * the API (base library < 2.32.3) there is no privacy gate, so it resolves too.
 * @internal
 */
export function wxRequirePrivacyAuthorize(wx: WxApi): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!wx.requirePrivacyAuthorize) return resolve();
    wx.requirePrivacyAuthorize({
      success: () => resolve(),
      fail: (err: WxFailure) =>
        reject(
          privacyError(err) ??
            new AuthClientError({
              code: ClientErrorCode.PRIVACY_NOT_AUTHORIZED,
              message: err.errMsg ?? 'fail',
            }),
        ),
    });
  });
}

/** `wx.getPrivacySetting`; without the API nothing needs consent. @internal */
export function wxGetPrivacySetting(
  wx: WxApi,
): Promise<{ needAuthorization: boolean; privacyContractName: string }> {
  return new Promise((resolve, reject) => {
    if (!wx.getPrivacySetting) return resolve({ needAuthorization: false, privacyContractName: '' });
    wx.getPrivacySetting({
      success: (res) =>
        resolve({ needAuthorization: res.needAuthorization, privacyContractName: res.privacyContractName }),
      fail: (err: WxFailure) => reject(wxApiFailed(err)),
    });
  });
}

/** `wx.openPrivacyContract`: shows the app's privacy guide. @internal */
export function wxOpenPrivacyContract(wx: WxApi): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!wx.openPrivacyContract) {
      return reject(wxApiFailed({ errMsg: 'openPrivacyContract:fail not supported by this base library' }));
    }
    wx.openPrivacyContract({ success: () => resolve(), fail: (err: WxFailure) => reject(wxApiFailed(err)) });
  });
}

/** Reads a header whatever its case (wx keeps the server's spelling). @internal */
export function headerValue(header: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(header)) {
    if (key.toLowerCase() === wanted) {
      const value = header[key];
      return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
    }
  }
  return undefined;
}

/** `Retry-After` in whole seconds (delta-seconds or an HTTP date, RFC 9110 §10.2.3). @internal */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return parseInt(value, 10);
  const date = Date.parse(value);
  return isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Turns a non-2xx answer into the error callers see, keeping the server's `code`. @internal */
export function errorFromResponse(res: RawResponse): AuthClientError {
  const body = res.data as { code?: unknown; message?: unknown } | undefined;
  const serverCode =
    body && typeof body === 'object' && typeof body.code === 'string' ? body.code : undefined;
  const message = body && typeof body === 'object' && typeof body.message === 'string' ? body.message : '';
  return new AuthClientError({
    code: serverCode ?? `HTTP_${res.status}`,
    message: message || `HTTP ${res.status}`,
    status: res.status,
    retryAfter:
      res.status === 503 || res.status === 429
        ? parseRetryAfter(headerValue(res.header, 'retry-after'))
        : undefined,
    body: res.data,
  });
}

function wxApiFailed(err: WxFailure): AuthClientError {
  return new AuthClientError({ code: ClientErrorCode.WX_API_FAILED, message: err.errMsg ?? 'fail' });
}

function networkError(err: { errMsg?: string } | undefined): AuthClientError {
  return new AuthClientError({
    code: ClientErrorCode.NETWORK_ERROR,
    message: err?.errMsg ?? 'request:fail',
  });
}

function parseJsonText(text: string): unknown {
  if (!text) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
