import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { WxApi } from '../../client/src/types.js';

/** One HTTP call made through `wx.request` / `wx.uploadFile`, as the demo prints it. */
export interface WxHttpExchange {
  api: 'request' | 'uploadFile';
  method: string;
  url: string;
  requestHeader: Record<string, string>;
  /** What was sent: the JSON body, or `{ file }` for an upload. */
  requestBody: unknown;
  /** 0 when the call failed without an HTTP answer. */
  status: number;
  responseHeader: Record<string, string>;
  responseBody: unknown;
  ms: number;
}

export interface NodeWxOptions {
  /** The WeChat simulator whose control API stands in for the WeChat client app. */
  simulatorUrl: string;
  appid: string;
  /** This device's WeChat user; default: a new user, created by the first `wx.login`. */
  openid?: string;
  /** Sent as User-Agent, so session lists show something phone-like. */
  userAgent?: string;
  /** Called after every `wx.request` / `wx.uploadFile`. */
  onExchange?: (exchange: WxHttpExchange) => void;
}

/** The callback half of any wx option object; each API types its fail result a little differently. */
interface Callbacks {
  success?: (result: any) => void;
  fail?: (error: any) => void;
  complete?: (result: any) => void;
}
type SuccessOf<O extends Callbacks> = Parameters<NonNullable<O['success']>>[0];

/**
 * The mini-program `wx` object on one device, on top of Node's HTTP: `login` mints codes from the
 * simulator's control API (`POST /__sim/login-codes`), `checkSession` asks it whether the user's
 * session_key is alive, `request`/`uploadFile` use `fetch`, storage is in memory. Counts calls so tests
 * can assert "exactly one wx.login". Patches no globals.
 */
export class NodeWx implements WxApi {
  readonly calls = { login: 0, checkSession: 0, request: 0, uploadFile: 0 };
  /** The device's WeChat user, known after the first `wx.login`. */
  openid: string | undefined;
  readonly storage = new Map<string, unknown>();
  private readonly simulatorUrl: string;
  private wechatSessionExpired = false;

  constructor(private readonly options: NodeWxOptions) {
    this.simulatorUrl = options.simulatorUrl.replace(/\/+$/, '');
    this.openid = options.openid;
  }

  login(option: WechatMiniprogram.LoginOption): void {
    this.calls.login++;
    settle(option, 'login', async () => {
      const minted = await this.control<{ code: string; openid: string }>('POST', '/__sim/login-codes', {
        appid: this.options.appid,
        ...(this.openid ? { openid: this.openid } : {}),
      });
      this.openid = minted.openid;
      this.wechatSessionExpired = false;
      return { code: minted.code, errMsg: 'login:ok' };
    });
  }

  /**
   * Fails when this device never logged in, when the simulator holds no session_key for the user or
   * it has expired (wall clock), or after {@link expireWechatSession}.
   */
  checkSession(option: WechatMiniprogram.CheckSessionOption): void {
    this.calls.checkSession++;
    settle(option, 'checkSession', async () => {
      if (!this.openid || this.wechatSessionExpired) throw new Error('session expired');
      const query = new URLSearchParams({ appid: this.options.appid, openid: this.openid });
      const key = await this.control<{ expiresAt: number }>('GET', `/__sim/session-key?${query}`);
      if (key.expiresAt <= Date.now()) throw new Error('session expired');
      return { errMsg: 'checkSession:ok' };
    });
  }

  /** Makes `checkSession` fail until the next `wx.login`, as when WeChat drops the session_key. */
  expireWechatSession(): void {
    this.wechatSessionExpired = true;
  }

  request(option: WechatMiniprogram.RequestOption): void {
    this.calls.request++;
    settle(option, 'request', async () => {
      const method = option.method ?? 'GET';
      const header: Record<string, string> = { ...this.defaultHeader(), ...stringHeader(option.header) };
      let url = option.url;
      let body: string | undefined;
      // wx.request sends `data` as the query string for GET and as JSON otherwise (with its default
      // content-type application/json).
      if (option.data !== undefined && method === 'GET' && typeof option.data === 'object') {
        const query = new URLSearchParams(option.data as Record<string, string>).toString();
        if (query) url += (url.includes('?') ? '&' : '?') + query;
      } else if (option.data !== undefined) {
        body = typeof option.data === 'string' ? option.data : JSON.stringify(option.data);
        if (!hasHeader(header, 'content-type')) header['content-type'] = 'application/json';
      }
      const exchange = await this.fetch('request', method, url, header, option.data, body, option.timeout);
      // dataType 'json' (the default) parses the body when it can; any other value leaves the text.
      const data = option.dataType && option.dataType !== 'json' ? exchange.text : parseJson(exchange.text);
      return {
        data: data as WechatMiniprogram.IAnyObject,
        statusCode: exchange.status,
        header: exchange.header,
        cookies: [],
        errMsg: 'request:ok',
      } as unknown as WechatMiniprogram.RequestSuccessCallbackResult; // no profile/exception: Node has none
    });
  }

  uploadFile(option: WechatMiniprogram.UploadFileOption): void {
    this.calls.uploadFile++;
    settle(option, 'uploadFile', async () => {
      const bytes = await readFile(option.filePath);
      const form = new FormData();
      for (const [key, value] of Object.entries(option.formData ?? {})) form.append(key, String(value));
      form.append(
        option.name,
        new Blob([bytes], { type: mimeOf(option.filePath) }),
        basename(option.filePath),
      );
      const header = { ...this.defaultHeader(), ...stringHeader(option.header) };
      const requestBody = { [option.name]: `<${basename(option.filePath)}, ${bytes.length} bytes>` };
      const exchange = await this.fetch(
        'uploadFile',
        'POST',
        option.url,
        header,
        requestBody,
        form,
        option.timeout,
      );
      return {
        data: exchange.text,
        statusCode: exchange.status,
        errMsg: 'uploadFile:ok',
      } as unknown as WechatMiniprogram.UploadFileSuccessCallbackResult; // no profile: Node has none
    });
  }

  getStorageSync(key: string): unknown {
    // wx answers '' for a missing key, and hands out copies, not the stored object.
    return this.storage.has(key) ? structuredClone(this.storage.get(key)) : '';
  }

  setStorageSync(key: string, data: unknown): void {
    this.storage.set(key, structuredClone(data));
  }

  removeStorageSync(key: string): void {
    this.storage.delete(key);
  }

  /**
   * What `<button open-type="getPhoneNumber">` hands the page after the user agrees: a
   * `bindgetphonenumber` event with a phone code the simulator minted for this device's user.
   */
  async phoneNumberEvent(
    phoneNumber: string,
    countryCode = '86',
  ): Promise<WechatMiniprogram.ButtonGetPhoneNumber> {
    if (!this.openid)
      throw new Error('NodeWx: wx.login has not run yet, so there is no user to give a phone to');
    const { code } = await this.control<{ code: string }>('POST', '/__sim/phone-codes', {
      appid: this.options.appid,
      openid: this.openid,
      phoneNumber,
      countryCode,
    });
    return { detail: { code, errMsg: 'getPhoneNumber:ok' } } as WechatMiniprogram.ButtonGetPhoneNumber;
  }

  private defaultHeader(): Record<string, string> {
    return this.options.userAgent ? { 'user-agent': this.options.userAgent } : {};
  }

  private async fetch(
    api: WxHttpExchange['api'],
    method: string,
    url: string,
    header: Record<string, string>,
    requestBody: unknown,
    body: string | FormData | undefined,
    timeout = 60_000,
  ): Promise<{ status: number; header: Record<string, string>; text: string }> {
    const started = performance.now();
    const report = (status: number, responseHeader: Record<string, string>, responseBody: unknown) =>
      this.options.onExchange?.({
        api,
        method,
        url,
        requestHeader: header,
        requestBody,
        status,
        responseHeader,
        responseBody,
        ms: Math.round(performance.now() - started),
      });
    try {
      const response = await fetch(url, {
        method,
        headers: header,
        body,
        signal: AbortSignal.timeout(timeout),
      });
      const text = await response.text();
      const responseHeader = Object.fromEntries(response.headers);
      report(response.status, responseHeader, parseJson(text));
      return { status: response.status, header: responseHeader, text };
    } catch (error) {
      report(0, {}, error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  private async control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.simulatorUrl + path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Runs `work` and reports through the option's callbacks, asynchronously as wx does. */
function settle<O extends Callbacks>(option: O, api: string, work: () => Promise<SuccessOf<O>>): void {
  work().then(
    (result) => {
      option.success?.(result);
      option.complete?.(result);
    },
    (error: unknown) => {
      const failure = { errMsg: `${api}:fail ${error instanceof Error ? error.message : String(error)}` };
      option.fail?.(failure);
      option.complete?.(failure);
    },
  );
}

function stringHeader(header: WechatMiniprogram.IAnyObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(header ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}

function hasHeader(header: Record<string, string>, name: string): boolean {
  return Object.keys(header).some((key) => key.toLowerCase() === name);
}

function parseJson(text: string): unknown {
  if (!text) return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function mimeOf(path: string): string {
  if (/\.png$/i.test(path)) return 'image/png';
  if (/\.jpe?g$/i.test(path)) return 'image/jpeg';
  if (/\.webp$/i.test(path)) return 'image/webp';
  return 'application/octet-stream';
}
