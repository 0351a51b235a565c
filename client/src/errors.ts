/**
 * Codes the client produces itself (the server's own codes, such as `SESSION_EXPIRED` or
 * `PHONE_CODE_INVALID`, arrive unchanged in {@link AuthClientError.code}).
 * @publicApi
 */
export const ClientErrorCode = {
  /** `wx.request` / `wx.uploadFile` failed before any HTTP answer (offline, DNS, TLS, timeout). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** `wx.login` itself failed. */
  WX_LOGIN_FAILED: 'WX_LOGIN_FAILED',
  /** The getPhoneNumber event carried no code: the user declined, or the account may not use it. */
  PHONE_NUMBER_DENIED: 'PHONE_NUMBER_DENIED',
  /** A success status with a body that is not what the route promises. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** The user refused the app's privacy guide, so WeChat blocked the privacy API or component. */
  PRIVACY_NOT_AUTHORIZED: 'PRIVACY_NOT_AUTHORIZED',
  /** The API is not declared in the app's privacy guide (mp console): a configuration error. */
  PRIVACY_API_UNDECLARED: 'PRIVACY_API_UNDECLARED',
  /** The user declined `wx.getUserProfile`'s sheet (or `wx.getUserInfo` failed). */
  USER_INFO_DENIED: 'USER_INFO_DENIED',
  /** Another wx API the client wraps failed, or this base library lacks it. */
  WX_API_FAILED: 'WX_API_FAILED',
} as const;

/** Server codes that mean "this token is dead: log in again". @publicApi */
export const SESSION_REJECTED_CODES: readonly string[] = ['SESSION_INVALID', 'SESSION_EXPIRED'];

/** Login codes that mean "this wx.login code is spent: get a new one". @internal */
export const LOGIN_CODE_REJECTED_CODES: readonly string[] = ['LOGIN_CODE_INVALID', 'LOGIN_CODE_USED'];

/** @publicApi */
export interface AuthClientErrorInit {
  code: string;
  message: string;
  /** HTTP status; 0 when there was no HTTP answer. */
  status?: number;
  retryAfter?: number;
  body?: unknown;
}

/**
 * Every failure the client reports. Branch on `code` (the server's stable code, or a
 * {@link ClientErrorCode}), never on `message`.
 *
 * @publicApi
 */
export class AuthClientError extends Error {
  override readonly name = 'AuthClientError';
  readonly code: string;
  /** HTTP status; 0 when there was no HTTP answer. */
  readonly status: number;
  /** Seconds from the server's `Retry-After`, when it sent one (503, 429). */
  readonly retryAfter?: number;
  /** The parsed error body, for logging. */
  readonly body?: unknown;

  constructor(init: AuthClientErrorInit) {
    super(init.message);
    this.code = init.code;
    this.status = init.status ?? 0;
    this.retryAfter = init.retryAfter;
    this.body = init.body;
  }

  /** The server rejected the session token; the client already tried one fresh login. */
  get sessionRejected(): boolean {
    return this.status === 401 && SESSION_REJECTED_CODES.indexOf(this.code) >= 0;
  }

  /** Worth trying again later: the server said when (503/429 with `Retry-After`), or the network failed. */
  get retryable(): boolean {
    return this.code === ClientErrorCode.NETWORK_ERROR || this.retryAfter !== undefined;
  }
}

/** One of the existing accounts a conflicting login points at (`conflict.accounts` of the 409). @publicApi */
export interface ConflictingAccount {
  /** Why it is involved: it owns the login's WeChat identity, its unionid and/or its verified phone. */
  matchedBy: ('identity' | 'unionid' | 'phone')[];
  /** The apps the account is known in (kind `mini_program`, `official_account`, …), to say which account it is. */
  apps: { appid: string; kind: string }[];
  /** ISO 8601. */
  createdAt: string;
}

/**
 * 409 `ACCOUNT_CONFLICT`: the login's WeChat identity, unionid or phone number belongs to two existing
 * accounts, and nothing was merged. Show {@link accounts} to the user; if they confirm they are theirs
 * and {@link mergeable} is true, log in again with `merge: true` (`login({ merge: true })`, or
 * `loginWithPhoneNumber(newEvent, { merge: true })` after a phone login: WeChat's phone code is single
 * use, so the user taps the button again). Not mergeable: only support can join them.
 * @publicApi
 */
export class AccountConflictError extends AuthClientError {
  readonly accounts: ConflictingAccount[];
  /** False when no login can join them (e.g. two WeChat accounts in one app): send the user to support. */
  readonly mergeable: boolean;
  /** The conflicting login was a phone-number login: the merge needs a new phone code. */
  readonly needsPhoneCode: boolean;

  constructor(init: AuthClientErrorInit, needsPhoneCode: boolean) {
    super(init);
    const conflict = (init.body as { conflict?: { accounts?: unknown; mergeable?: unknown } } | undefined)
      ?.conflict;
    this.accounts = Array.isArray(conflict?.accounts) ? (conflict!.accounts as ConflictingAccount[]) : [];
    this.mergeable = conflict?.mergeable !== false;
    this.needsPhoneCode = needsPhoneCode;
  }
}

/** The server's code for {@link AccountConflictError}. @publicApi */
export const ACCOUNT_CONFLICT_CODE = 'ACCOUNT_CONFLICT';
