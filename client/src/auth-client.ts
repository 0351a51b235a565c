import {
  ACCOUNT_CONFLICT_CODE,
  AccountConflictError,
  AuthClientError,
  ClientErrorCode,
  LOGIN_CODE_REJECTED_CODES,
  SESSION_REJECTED_CODES,
} from './errors.js';
import { LoginQueue } from './login-queue.js';
import { PrivacyConsent } from './privacy.js';
import type {
  AccountExport,
  AuthClientOptions,
  AuthRequestOptions,
  LoginOptions,
  LoginResult,
  PhoneNumberEvent,
  ProfileUpdate,
  SessionSummary,
  UserProfile,
  WechatUserInfoOptions,
  WxApi,
} from './types.js';
import {
  errorFromResponse,
  privacyError,
  wxCheckSession,
  wxGetUserInfo,
  wxLogin,
  wxRequest,
  wxUploadFile,
  type RawResponse,
} from './wx-transport.js';

/** @publicApi */
export const DEFAULT_STORAGE_KEY = 'weapp-auth:session';

/**
 * `wx.request` documents no PATCH method
 * (https://developers.weixin.qq.com/miniprogram/dev/api/network/request/wx.request.html), so the
 * client uses the server's `PUT /users/me`, which behaves exactly like `PATCH /users/me`.
 */
const PROFILE_UPDATE_METHOD = 'PUT';

/**
 * What `updateProfile` sends: our fields and WeChat's userInfo spellings. Anything else a userInfo
 * object carries (`is_demote` on anonymous answers) is left out, because the server refuses unknown fields.
 */
const PROFILE_FIELDS: readonly (keyof ProfileUpdate)[] = [
  'nickname',
  'nickName',
  'avatarUrl',
  'gender',
  'province',
  'city',
  'country',
  'language',
];

const DEFAULT_MAX_RETRIES = 1;
const DEFAULT_MAX_RETRY_AFTER_SECONDS = 5;

type Sender = (token: string | null) => Promise<RawResponse>;

/**
 * Logs a mini program in against weapp-auth and keeps it logged in.
 *
 * - {@link login} is single-flight: concurrent callers share one `wx.login` and one `POST /auth/login`.
 * - {@link request} sends `Authorization: Bearer`, logs in first when there is no session, and when the
 *   server answers 401 `SESSION_INVALID`/`SESSION_EXPIRED` logs in again (through the same queue) and
 *   retries once. A 503/429 with a short enough `Retry-After` is retried after that delay, at most
 *   `maxRetries` times. Everything else rejects with an {@link AuthClientError} carrying the server's `code`.
 *
 * @publicApi
 */
export class AuthClient {
  /** WeChat's privacy consent: `privacy.onNeedConsent(handler)`, `privacy.require()`. */
  readonly privacy: PrivacyConsent;
  private readonly wx: WxApi;
  private readonly baseUrl: string;
  private readonly appid?: string;
  private readonly storageKey: string;
  private readonly timeout?: number;
  private readonly maxRetries: number;
  private readonly maxRetryAfter: number;
  private readonly loginQueue = new LoginQueue<LoginResult>(() => this.performLogin());
  private readonly deletionQueue = new LoginQueue<void>(() => this.performDeletion());

  constructor(options: AuthClientOptions) {
    const wx = options.wx ?? globalWx();
    if (!wx) throw new TypeError('weapp-auth client: no global wx; pass options.wx');
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError(`weapp-auth client: baseUrl must be an http(s) URL, got "${options.baseUrl}"`);
    }
    this.wx = wx;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.appid = options.appid;
    this.storageKey = options.storageKey ?? DEFAULT_STORAGE_KEY;
    this.timeout = options.timeout;
    this.maxRetries = Math.max(0, options.maxRetries ?? DEFAULT_MAX_RETRIES);
    this.maxRetryAfter = options.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER_SECONDS;
    this.privacy = new PrivacyConsent(wx);
  }

  /** The saved session, or null when logged out. Reads storage, so it survives app restarts. */
  getSession(): LoginResult | null {
    let stored: unknown;
    try {
      stored = this.wx.getStorageSync(this.storageKey);
    } catch {
      return null;
    }
    // Anything else under our key (an older client's format, a hand edit) counts as logged out.
    const session = stored as Partial<LoginResult> | null;
    if (!session || typeof session !== 'object' || typeof session.token !== 'string' || !session.token) {
      return null;
    }
    return session as LoginResult;
  }

  /**
   * `wx.login` → `POST /auth/login` → storage. Concurrent calls share one run. A spent login code or
   * a 503/429 with a short `Retry-After` gets a fresh code and one more try. Rejects with an
   * {@link AccountConflictError} (409 `ACCOUNT_CONFLICT`) when the login belongs to two accounts;
   * `login({ merge: true })`, once the user confirmed, joins them (it runs after a login in flight,
   * never sharing it).
   */
  login(options: LoginOptions = {}): Promise<LoginResult> {
    if (!options.merge) return this.loginQueue.run();
    return this.loginQueue.runAfter(() => this.performLogin({ merge: true }));
  }

  /**
   * The phone-number login, from `<button open-type="getPhoneNumber" bindgetphonenumber>`: pass the
   * event (or its `detail.code`). `wx.login`, then `POST /auth/login` with `{ code, phoneCode }`: the
   * server verifies the number with WeChat, binds it and logs in as the person who owns it (an account
   * made in another of your apps with that number included). Stores the session like {@link login}.
   * Rejects with `PHONE_NUMBER_DENIED` when the event has no code (declined), `PHONE_CODE_INVALID`
   * from the server, or an {@link AccountConflictError}: after the user confirmed, call it again with
   * a new tap's event and `{ merge: true }` (a phone code works once). A spent login code is retried
   * with a fresh one; a 503/429 is not (the phone code may already be spent).
   */
  loginWithPhoneNumber(event: PhoneNumberEvent | string, options: LoginOptions = {}): Promise<LoginResult> {
    const phoneCode = phoneCodeOf(event);
    if (phoneCode instanceof AuthClientError) return Promise.reject(phoneCode);
    return this.loginQueue.runAfter(() => this.performLogin({ phoneCode, merge: options.merge === true }));
  }

  /**
   * Makes sure there is a usable session: nothing to do when a token is saved and `wx.checkSession`
   * says WeChat's session_key is alive, else {@link login}. Call it on app launch.
   */
  async ensureLogin(): Promise<LoginResult> {
    if (this.loginQueue.busy) return this.login();
    const session = this.getSession();
    if (session && (await wxCheckSession(this.wx))) return session;
    return this.login();
  }

  /**
   * A JSON request to the server with the session attached. Resolves with the parsed body
   * (undefined for 204).
   */
  request<T = unknown>(options: AuthRequestOptions): Promise<T> {
    const method = options.method ?? 'GET';
    const url = this.url(options.path);
    const timeout = options.timeout ?? this.timeout;
    const send: Sender = (token) =>
      wxRequest(this.wx, {
        url,
        method,
        data: options.data,
        header: { ...options.header, ...authHeader(token) },
        timeout,
      });
    return this.call<T>(send, options.auth ?? true);
  }

  /** `GET /users/me`. */
  getProfile(): Promise<UserProfile> {
    return this.profileCall(this.request<UserProfile>({ path: '/users/me' }));
  }

  /**
   * `PUT /users/me` (the server's PATCH alias): the value of `<input type="nickname">`, or a userInfo
   * object exactly as `wx.getUserProfile`/`wx.getUserInfo` hand it over (`nickName`, `avatarUrl`,
   * `gender`, `province`, `city`, `country`, `language`), sent in WeChat's spelling. Only those fields
   * are sent; WeChat's anonymous placeholders are ignored by the server.
   */
  updateProfile(update: ProfileUpdate): Promise<UserProfile> {
    const data: Record<string, unknown> = {};
    for (const field of PROFILE_FIELDS) {
      if (update[field] !== undefined) data[field] = update[field];
    }
    return this.profileCall(
      this.request<UserProfile>({ path: '/users/me', method: PROFILE_UPDATE_METHOD, data }),
    );
  }

  /**
   * The seeds' profile step: `wx.getUserProfile` (or `wx.getUserInfo` without it), then
   * {@link updateProfile} with that userInfo and the session token (logging in first if needed). Call
   * it directly from a tap handler: `wx.getUserProfile` refuses calls that do not come from a tap, so it
   * runs before anything else. Rejects with `USER_INFO_DENIED` when the user declines the sheet and
   * `PRIVACY_NOT_AUTHORIZED` when they refused the privacy guide. Since 2022-11 WeChat answers with
   * the anonymous placeholder, which changes nothing on the server: use the nickname input and
   * `chooseAvatar` ({@link uploadAvatar}) for the real profile.
   */
  saveWechatUserInfo(options: WechatUserInfoOptions = {}): Promise<UserProfile> {
    return wxGetUserInfo(this.wx, options).then((userInfo) => this.updateProfile(userInfo));
  }

  /**
   * Uploads the file `<button open-type="chooseAvatar">` returned (`event.detail.avatarUrl`) to
   * `POST /users/me/avatar`; the server stores it and sets avatarUrl. `wx.uploadFile` reports no
   * headers, so a 503 here surfaces without an automatic retry.
   */
  uploadAvatar(tempFilePath: string): Promise<UserProfile> {
    const url = this.url('/users/me/avatar');
    const send: Sender = (token) =>
      wxUploadFile(this.wx, {
        url,
        filePath: tempFilePath,
        name: 'file',
        header: authHeader(token),
        timeout: this.timeout,
      });
    return this.profileCall(this.call<UserProfile>(send, true));
  }

  /**
   * Binds the phone number from `<button open-type="getPhoneNumber" bindgetphonenumber>`: pass the
   * event (or its `detail.code`). Logs in first if needed, so an early tap still works.
   */
  getPhoneNumber(event: PhoneNumberEvent | string): Promise<UserProfile> {
    const code = phoneCodeOf(event);
    if (code instanceof AuthClientError) return Promise.reject(code);
    return this.profileCall(
      this.request<UserProfile>({ path: '/users/me/phone', method: 'POST', data: { code } }),
    );
  }

  /** `POST /auth/session-key/check`: whether the server's session_key for this user is still valid. */
  checkSessionKey(): Promise<{ valid: boolean }> {
    return this.request<{ valid: boolean }>({ path: '/auth/session-key/check', method: 'POST' });
  }

  /** `GET /auth/sessions`: the user's live sessions, this one marked `current`. */
  listSessions(): Promise<SessionSummary[]> {
    return this.request<SessionSummary[]>({ path: '/auth/sessions' });
  }

  /** `DELETE /auth/sessions/:id`: ends one of the user's sessions (e.g. a lost phone). */
  async revokeSession(id: string): Promise<void> {
    await this.request<void>({ path: `/auth/sessions/${encodeURIComponent(id)}`, method: 'DELETE' });
  }

  /** `DELETE /auth/sessions`: ends every session of the user, this one included. */
  async revokeAllSessions(): Promise<void> {
    await this.request<void>({ path: '/auth/sessions', method: 'DELETE' });
    this.clearSession();
  }

  /**
   * `DELETE /users/me`: deletes the user's account on the server (profile, phone, avatar, every
   * session), then forgets the session here. On failure (e.g. 503) the session is kept and a retry
   * finishes the deletion. Once it resolved, any call that needs a session (this one included) logs in
   * again, which creates a new, empty account: don't do that behind the user's back.
   */
  deleteAccount(): Promise<void> {
    // Single flight: a second tap while the first DELETE is under way must not meet the revoked token,
    // log in again (creating a new account) and delete that one.
    return this.deletionQueue.run();
  }

  /** `GET /users/me/export`: a copy of everything the server stores about the user, as JSON. */
  exportData(): Promise<AccountExport> {
    return this.request<AccountExport>({ path: '/users/me/export' });
  }

  /**
   * Forgets the session here and ends it on the server (`POST /auth/logout`, idempotent). The local
   * session is gone even if the server call fails, which then rejects.
   */
  async logout(): Promise<void> {
    const session = this.getSession();
    this.clearSession();
    if (!session) return;
    await this.request<void>({
      path: '/auth/logout',
      method: 'POST',
      header: authHeader(session.token),
      auth: false,
    });
  }

  private async performDeletion(): Promise<void> {
    await this.request<void>({ path: '/users/me', method: 'DELETE' });
    this.clearSession();
  }

  private async performLogin(extra: { phoneCode?: string; merge?: boolean } = {}): Promise<LoginResult> {
    const { phoneCode, merge } = extra;
    for (let attempt = 0; ; attempt++) {
      // A code is single-use and the server remembers each code's outcome, so every try needs a fresh one.
      const code = await wxLogin(this.wx, this.timeout);
      const data: Record<string, unknown> = { code };
      if (this.appid) data.appid = this.appid;
      if (phoneCode !== undefined) data.phoneCode = phoneCode;
      if (merge) data.merge = true;
      const res = await wxRequest(this.wx, {
        url: this.url('/auth/login'),
        method: 'POST',
        data,
        header: {},
        timeout: this.timeout,
      });
      if (res.status === 200) return this.saveSession(res.data);
      const error = errorFromResponse(res);
      if (error.code === ACCOUNT_CONFLICT_CODE) {
        throw new AccountConflictError(error, phoneCode !== undefined);
      }
      if (attempt >= this.maxRetries) throw error;
      // The server exchanges the login code before it looks at the phone code: a refused login code
      // leaves the phone code unspent, so that retry is safe for a phone login too.
      if (LOGIN_CODE_REJECTED_CODES.indexOf(error.code) >= 0) continue;
      if (phoneCode !== undefined || !this.retryableAfter(error)) throw error;
      await sleep(error.retryAfter! * 1000);
    }
  }

  /** Sends, then handles a rejected session (one re-login) and 503/429 (bounded waits). */
  private async call<T>(send: Sender, auth: boolean): Promise<T> {
    let token = auth ? await this.tokenOrLogin() : null;
    let reloggedIn = false;
    let retries = 0;
    for (;;) {
      const res = await send(token);
      if (res.status >= 200 && res.status < 300) {
        return (res.status === 204 || res.data === '' ? undefined : res.data) as T;
      }
      const error = errorFromResponse(res);
      if (auth && !reloggedIn && res.status === 401 && SESSION_REJECTED_CODES.indexOf(error.code) >= 0) {
        reloggedIn = true;
        token = await this.tokenAfterRejection(token);
        continue;
      }
      if (retries < this.maxRetries && this.retryableAfter(error)) {
        retries++;
        await sleep(error.retryAfter! * 1000);
        continue;
      }
      throw error;
    }
  }

  private async tokenOrLogin(): Promise<string> {
    if (this.loginQueue.busy) return (await this.login()).token;
    const session = this.getSession();
    return session ? session.token : (await this.login()).token;
  }

  /**
   * The server refused `rejected`. When another call has already logged in again, use its token;
   * otherwise drop the dead one and log in (joining a login already under way).
   */
  private async tokenAfterRejection(rejected: string | null): Promise<string> {
    const session = this.getSession();
    if (session && session.token !== rejected) return session.token;
    if (session) this.clearSession();
    return (await this.login()).token;
  }

  private retryableAfter(error: AuthClientError): boolean {
    return error.retryAfter !== undefined && error.retryAfter <= this.maxRetryAfter;
  }

  private async profileCall(pending: Promise<UserProfile>): Promise<UserProfile> {
    const user = await pending;
    const session = this.getSession();
    if (session && user && typeof user === 'object')
      this.wx.setStorageSync(this.storageKey, { ...session, user });
    return user;
  }

  private saveSession(data: unknown): LoginResult {
    const result = data as Partial<LoginResult> | null;
    if (!result || typeof result !== 'object' || typeof result.token !== 'string' || !result.token) {
      throw new AuthClientError({
        code: ClientErrorCode.BAD_RESPONSE,
        message: 'POST /auth/login answered 200 without a token',
        status: 200,
      });
    }
    const session: LoginResult = {
      token: result.token,
      tokenType: 'Bearer',
      expiresAt: String(result.expiresAt),
      user: result.user as UserProfile,
    };
    this.wx.setStorageSync(this.storageKey, session);
    return session;
  }

  private clearSession(): void {
    this.wx.removeStorageSync(this.storageKey);
  }

  private url(path: string): string {
    return this.baseUrl + (path.charAt(0) === '/' ? path : `/${path}`);
  }
}

/** @publicApi */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  return new AuthClient(options);
}

/** The getPhoneNumber event's code, or the error to reject with when the user gave none. */
function phoneCodeOf(event: PhoneNumberEvent | string): string | AuthClientError {
  const detail = typeof event === 'string' ? { code: event } : (event?.detail ?? {});
  const code = (detail as { code?: string }).code;
  if (code) return code;
  const failure = detail as { errMsg?: string; errno?: number };
  return (
    privacyError(failure) ??
    new AuthClientError({
      code: ClientErrorCode.PHONE_NUMBER_DENIED,
      message: failure.errMsg || 'getPhoneNumber gave no code',
    })
  );
}

function authHeader(token: string | null): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function globalWx(): WxApi | undefined {
  // miniprogram-api-typings 5.2 types onNeedPrivacyAuthorization's listener wrongly (see WxPrivacyListener).
  return typeof wx === 'undefined' ? undefined : (wx as unknown as WxApi);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
