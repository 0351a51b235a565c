import { AuthClientError, ClientErrorCode } from './errors.js';
import type { HttpMethod, WxApi } from './types.js';

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
