import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { WxApi, WxPrivacyListener, WxPrivacyResolution } from '../client/src/types.js';

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
  /**
   * The app declares personal data in its privacy guide and this user has not agreed yet, so privacy
   * APIs and components wait for consent (WeChat since 2023-10-17). Default false: no gate.
   */
  privacyConsentNeeded?: boolean;
  /** What `wx.getUserProfile` answers; default WeChat's anonymous placeholder (releases since 2022-11). */
  userInfo?: WechatMiniprogram.UserInfo;
}

/** What `wx.getUserProfile` and `wx.getUserInfo` answer since 2022-11-08 (docs/wechat-api-notes.md §8). */
export const ANONYMOUS_USER_INFO: Readonly<WechatMiniprogram.UserInfo> = Object.freeze({
  nickName: '微信用户',
  avatarUrl:
    'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
  gender: 0,
  province: '',
  city: '',
  country: '',
  language: '' as WechatMiniprogram.UserInfo['language'],
});

/** The title `wx.getPrivacySetting` reports. */
export const PRIVACY_CONTRACT_NAME = '《weapp-auth 示例隐私保护指引》';

/* eslint-disable @typescript-eslint/no-explicit-any -- each wx API types its callbacks differently */
/** The callback half of any wx option object. */
interface Callbacks {
  success?: (result: any) => void;
  fail?: (error: any) => void;
  complete?: (result: any) => void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */
type SuccessOf<O extends Callbacks> = Parameters<NonNullable<O['success']>>[0];

/** A wx failure: `errMsg` becomes `<api>:fail <message>`, with WeChat's `errno` when it has one. */
class WxFail extends Error {
  constructor(
    message: string,
    readonly errno?: number,
  ) {
    super(message);
  }
}

/** WeChat's failure for a privacy call the user did not consent to (errno 104). */
const privacyRefused = () => new WxFail('privacy permission is not authorized', 104);

/**
 * The mini-program `wx` object on one device, on top of Node's HTTP: `login` mints codes from the
 * simulator's control API (`POST /__sim/login-codes`), `checkSession` asks it whether the user's
 * session_key is alive, `request`/`uploadFile` use `fetch`, storage is in memory. Counts calls so tests
 * can assert "exactly one wx.login". Patches no globals. Used by `npm run demo` and the client tests.
 *
 * Privacy consent follows WeChat's rules (https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html):
 * with `privacyConsentNeeded`, a privacy call (`getUserProfile`, {@link phoneNumberEvent},
 * {@link chooseAvatarEvent}, {@link nicknameInput}, `requirePrivacyAuthorize`) waits for the
 * `onNeedPrivacyAuthorization` listener's `resolve`; `agree` must name a button that
 * {@link tapAgreePrivacyButton} tapped. Without a listener, WeChat's own popup answers
 * {@link officialPopupAnswer}.
 */
export class NodeWx implements WxApi {
  readonly calls = {
    login: 0,
    checkSession: 0,
    request: 0,
    uploadFile: 0,
    getUserProfile: 0,
    getUserInfo: 0,
    requirePrivacyAuthorize: 0,
    openPrivacyContract: 0,
  };
  /** The device's WeChat user, known after the first `wx.login`. */
  openid: string | undefined;
  readonly storage = new Map<string, unknown>();
  /** What `wx.getUserProfile` answers. */
  userInfo: WechatMiniprogram.UserInfo;
  /** The user's answer to `wx.getUserProfile`'s sheet. */
  profileSheetAnswer: 'allow' | 'deny' = 'allow';
  /** The user's answer to WeChat's own privacy popup, shown when no listener is registered. */
  officialPopupAnswer: 'agree' | 'disagree' = 'agree';
  /** Every privacy-gate event: who asked, and how it ended. */
  readonly privacyLog: Array<{ referrer: string; outcome: 'agree' | 'disagree' | 'exposure' }> = [];
  private privacyAgreed: boolean;
  private privacyListener: WxPrivacyListener | null = null;
  private readonly tappedAgreeButtons = new Set<string>();
  private readonly simulatorUrl: string;
  private wechatSessionExpired = false;

  constructor(private readonly options: NodeWxOptions) {
    this.simulatorUrl = options.simulatorUrl.replace(/\/+$/, '');
    this.openid = options.openid;
    this.privacyAgreed = !options.privacyConsentNeeded;
    this.userInfo = { ...(options.userInfo ?? ANONYMOUS_USER_INFO) };
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

  /**
   * Privacy-gated; asks the user (`profileSheetAnswer`); answers `userInfo` with rawData, signature and
   * encryptedData/iv from the simulator when the device has logged in.
   */
  getUserProfile(option: WechatMiniprogram.GetUserProfileOption): void {
    this.calls.getUserProfile++;
    settle(option, 'getUserProfile', async () => {
      await this.privacyGate('getUserProfile');
      if (this.profileSheetAnswer === 'deny') throw new WxFail('auth deny');
      return this.userInfoResult('getUserProfile', this.userInfo);
    });
  }

  /** Since 2021-04-13 WeChat answers `wx.getUserInfo` with the anonymous placeholder only. */
  getUserInfo(option: WechatMiniprogram.GetUserInfoOption): void {
    this.calls.getUserInfo++;
    settle(option, 'getUserInfo', async () => {
      await this.privacyGate('getUserInfo');
      return this.userInfoResult('getUserInfo', { ...ANONYMOUS_USER_INFO });
    });
  }

  /** Replaces the listener, as WeChat does. */
  onNeedPrivacyAuthorization(listener: WxPrivacyListener): void {
    this.privacyListener = listener;
  }

  requirePrivacyAuthorize(option: WechatMiniprogram.RequirePrivacyAuthorizeOption): void {
    this.calls.requirePrivacyAuthorize++;
    settle(option, 'requirePrivacyAuthorize', async () => {
      await this.privacyGate('requirePrivacyAuthorize');
      return { errMsg: 'requirePrivacyAuthorize:ok' };
    });
  }

  getPrivacySetting(option: WechatMiniprogram.GetPrivacySettingOption): void {
    settle(option, 'getPrivacySetting', async () => ({
      needAuthorization: !this.privacyAgreed,
      privacyContractName: PRIVACY_CONTRACT_NAME,
      errMsg: 'getPrivacySetting:ok',
    }));
  }

  openPrivacyContract(option: WechatMiniprogram.OpenPrivacyContractOption): void {
    this.calls.openPrivacyContract++;
    settle(option, 'openPrivacyContract', async () => ({ errMsg: 'openPrivacyContract:ok' }));
  }

  /**
   * The user taps `<button id="…" open-type="agreePrivacyAuthorization">` in the app's popup: that
   * tap is the consent, and lets a later `resolve({ event: 'agree', buttonId })` through.
   */
  tapAgreePrivacyButton(buttonId = 'agree-btn'): void {
    this.tappedAgreeButtons.add(buttonId);
    this.privacyAgreed = true;
  }

  /** The user withdraws consent (WeChat: delete the mini program from recents), or the guide changed. */
  resetPrivacyConsent(): void {
    this.privacyAgreed = false;
    this.tappedAgreeButtons.clear();
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
    try {
      await this.privacyGate('button.getPhoneNumber');
    } catch (error) {
      const { errno, message } = error as WxFail;
      return {
        detail: { errMsg: `getPhoneNumber:fail ${message}`, errno },
      } as unknown as WechatMiniprogram.ButtonGetPhoneNumber;
    }
    const { code } = await this.control<{ code: string }>('POST', '/__sim/phone-codes', {
      appid: this.options.appid,
      openid: this.openid,
      phoneNumber,
      countryCode,
    });
    return { detail: { code, errMsg: 'getPhoneNumber:ok' } } as WechatMiniprogram.ButtonGetPhoneNumber;
  }

  /**
   * What `<button open-type="chooseAvatar">` hands the page: `detail.avatarUrl`, a temp file. Privacy-
   * gated; refused, WeChat fires no event, so this rejects.
   */
  async chooseAvatarEvent(tempFilePath: string): Promise<{ detail: { avatarUrl: string } }> {
    await this.privacyGate('button.chooseAvatar');
    return { detail: { avatarUrl: tempFilePath } };
  }

  /**
   * The user focuses `<input type="nickname">` and picks or types `text`, which the form submits.
   * Privacy-gated; refused, the input offers no WeChat nickname, so this rejects. (The referrer name is
   * by analogy with WeChat's documented `button.getPhoneNumber`.)
   */
  async nicknameInput(text: string): Promise<string> {
    await this.privacyGate('input.nickname');
    return text;
  }

  /**
   * WeChat's privacy gate: passes when consent is given or not needed; else asks the registered
   * listener (or WeChat's own popup) and waits for its `resolve`.
   */
  private privacyGate(referrer: string): Promise<void> {
    if (this.privacyAgreed) return Promise.resolve();
    const listener = this.privacyListener;
    if (!listener) {
      const outcome = this.officialPopupAnswer;
      this.privacyLog.push({ referrer, outcome });
      if (outcome === 'disagree') return Promise.reject(privacyRefused());
      this.privacyAgreed = true;
      return Promise.resolve();
    }
    return new Promise((pass, fail) => {
      let settled = false;
      const resolve = (result: WxPrivacyResolution) => {
        if (settled) return;
        if (result.event === 'exposureAuthorization') {
          this.privacyLog.push({ referrer, outcome: 'exposure' });
          return;
        }
        settled = true;
        // The base library checks that the agree button named here was really tapped.
        if (result.event === 'agree' && this.tappedAgreeButtons.has(result.buttonId)) {
          this.privacyLog.push({ referrer, outcome: 'agree' });
          this.privacyAgreed = true;
          pass();
        } else {
          this.privacyLog.push({ referrer, outcome: 'disagree' });
          fail(privacyRefused());
        }
      };
      listener(resolve, { referrer });
    });
  }

  private async userInfoResult(api: string, userInfo: WechatMiniprogram.UserInfo) {
    const sealed = this.openid
      ? await this.control<{ encryptedData: string; iv: string; signature: string; rawData: string }>(
          'POST',
          '/__sim/encrypt',
          {
            appid: this.options.appid,
            openid: this.openid,
            payload: userInfo,
          },
        )
      : { encryptedData: '', iv: '', signature: '', rawData: JSON.stringify(userInfo) };
    return {
      userInfo,
      rawData: sealed.rawData,
      signature: sealed.signature,
      encryptedData: sealed.encryptedData,
      iv: sealed.iv,
      cloudID: '',
      errMsg: `${api}:ok`,
    } as WechatMiniprogram.GetUserProfileSuccessCallbackResult;
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
      const failure = {
        errMsg: `${api}:fail ${error instanceof Error ? error.message : String(error)}`,
        ...(error instanceof WxFail && error.errno !== undefined ? { errno: error.errno } : {}),
      };
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
