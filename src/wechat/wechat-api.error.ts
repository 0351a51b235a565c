/**
 * What went wrong with a WeChat server API call, in terms a caller can act on.
 * The auth edge maps these to HTTP (see STYLE.md "Errors").
 *
 * @publicApi
 */
export const WechatErrorKind = {
  /** 40029 / 41008: login or phone code unknown, expired, from another app, or missing. Ask for a new code. */
  CODE_INVALID: 'CODE_INVALID',
  /** 40163: login code already exchanged. Ask for a new code. */
  CODE_USED: 'CODE_USED',
  /** 40226: WeChat blocked this login as high-risk. */
  RISK_BLOCKED: 'RISK_BLOCKED',
  /** 45011 (per-minute) / 45009 (daily quota). See `retryAfterSeconds`. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** -1: WeChat busy. Transient. */
  BUSY: 'BUSY',
  /** 40001 / 40014 / 42001: access_token invalid, malformed, or expired (after our one refresh-and-retry). */
  TOKEN_INVALID: 'TOKEN_INVALID',
  /** 87009: checksession / resetusersessionkey signature does not match the current session_key. */
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  /** Our side is wrong: unknown appid, bad secret, IP not whitelisted, missing permission, bad request format. */
  MISCONFIGURED: 'MISCONFIGURED',
  /** WeChat answered something we cannot use: non-200, HTML, non-JSON, missing fields, unknown errcode. */
  MALFORMED: 'MALFORMED',
  /** No complete answer within `timeoutMs`. */
  TIMEOUT: 'TIMEOUT',
  /** Connection refused, reset, DNS failure. */
  UNREACHABLE: 'UNREACHABLE',
} as const;

/** @publicApi */
export type WechatErrorKind = (typeof WechatErrorKind)[keyof typeof WechatErrorKind];

/** The API names used in `WechatApiError.api` and in messages. @publicApi */
export type WechatApiName =
  | 'jscode2session'
  | 'checksession'
  | 'resetusersessionkey'
  | 'stable_token'
  | 'getuserphonenumber'
  | 'msg_sec_check'
  | 'sns/oauth2/access_token'
  | 'sns/userinfo';

const ERRCODE_KINDS: ReadonlyMap<number, WechatErrorKind> = new Map<number, WechatErrorKind>([
  [-1, 'BUSY'],
  [40029, 'CODE_INVALID'],
  [41008, 'CODE_INVALID'],
  [40163, 'CODE_USED'],
  [40226, 'RISK_BLOCKED'],
  [45011, 'RATE_LIMITED'],
  [45009, 'RATE_LIMITED'],
  [40001, 'TOKEN_INVALID'],
  [40014, 'TOKEN_INVALID'],
  [42001, 'TOKEN_INVALID'],
  [87009, 'SIGNATURE_INVALID'],
  // Wrong appid/secret, IP whitelist, frozen secret, missing parameters, no permission.
  [40002, 'MISCONFIGURED'],
  [40013, 'MISCONFIGURED'],
  [40125, 'MISCONFIGURED'],
  [40164, 'MISCONFIGURED'],
  [40243, 'MISCONFIGURED'],
  [41001, 'MISCONFIGURED'],
  [41002, 'MISCONFIGURED'],
  [41004, 'MISCONFIGURED'],
  [48001, 'MISCONFIGURED'],
  // The request we built was rejected as such: a bug here, not a transient condition.
  [43002, 'MISCONFIGURED'],
  [43003, 'MISCONFIGURED'],
  [44002, 'MISCONFIGURED'],
  [47001, 'MISCONFIGURED'],
  [87008, 'MISCONFIGURED'],
]);

/**
 * Maps a non-zero errcode to a kind. Unknown errcodes are `MALFORMED` ("WeChat said something we do not
 * understand"): the auth edge answers 502 for those, and the errcode stays on the error for the logs.
 *
 * @internal
 */
export function errcodeToKind(errcode: number): WechatErrorKind {
  return ERRCODE_KINDS.get(errcode) ?? 'MALFORMED';
}

/**
 * Pulls the request id out of an errmsg: `… rid: 66c69111-2c5e6f0e-1b6a2f04` (2021+) or the older
 * `…, hints: [ req_id: XXXXXXXX ]`.
 *
 * @internal
 */
export function parseRid(errmsg: unknown): string | undefined {
  if (typeof errmsg !== 'string') return undefined;
  const rid = /\brid:\s*([0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8})\b/i.exec(errmsg);
  if (rid) return rid[1].toLowerCase();
  const reqId = /\breq_id:\s*([A-Za-z0-9_-]{1,64})/.exec(errmsg);
  return reqId?.[1];
}

/** Seconds until the next 00:00 in Beijing (UTC+8), when WeChat's daily quotas reset. */
function secondsUntilBeijingMidnight(nowMs: number): number {
  const beijingMs = nowMs + 8 * 3600_000;
  const msIntoDay = beijingMs % 86_400_000;
  return Math.max(1, Math.ceil((86_400_000 - msIntoDay) / 1000));
}

/** @internal */
export function retryAfterFor(
  kind: WechatErrorKind,
  errcode?: number,
  nowMs = Date.now(),
): number | undefined {
  if (kind === 'RATE_LIMITED') return errcode === 45009 ? secondsUntilBeijingMidnight(nowMs) : 60;
  if (kind === 'BUSY') return 1;
  return undefined;
}

/** @publicApi */
export interface WechatApiErrorInit {
  api: WechatApiName;
  kind: WechatErrorKind;
  errcode?: number;
  /** WeChat's errmsg, with every credential the request carried replaced by `[redacted]`. */
  errmsg?: string;
  rid?: string;
  /** Sanitised low-level reason: an undici error code, `HTTP 502`, `invalid JSON`, `missing openid`. */
  detail?: string;
  retryAfterSeconds?: number;
}

/**
 * A failed WeChat server API call.
 *
 * Never carries a `cause`, the request URL, or any AppSecret, code, session_key or access_token: the
 * message is built only from the API name, errcode, kind, rid and a sanitised detail.
 *
 * @publicApi
 */
export class WechatApiError extends Error {
  override readonly name = 'WechatApiError';
  readonly api: WechatApiName;
  readonly kind: WechatErrorKind;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly rid?: string;
  readonly detail?: string;
  /** A hint for `Retry-After` where one makes sense (RATE_LIMITED, BUSY). */
  readonly retryAfterSeconds?: number;

  constructor(init: WechatApiErrorInit) {
    super(WechatApiError.describe(init));
    this.api = init.api;
    this.kind = init.kind;
    this.errcode = init.errcode;
    this.errmsg = init.errmsg;
    this.rid = init.rid;
    this.detail = init.detail;
    this.retryAfterSeconds = init.retryAfterSeconds ?? retryAfterFor(init.kind, init.errcode);
  }

  /** Builds the error for a non-zero errcode. `errmsg` must already be redacted. */
  static fromErrcode(api: WechatApiName, errcode: number, errmsg?: string): WechatApiError {
    return new WechatApiError({ api, kind: errcodeToKind(errcode), errcode, errmsg, rid: parseRid(errmsg) });
  }

  private static describe(init: WechatApiErrorInit): string {
    const parts = [`${init.api} failed:`];
    if (init.errcode !== undefined) parts.push(`errcode ${init.errcode} (${init.kind})`);
    else parts.push(init.kind);
    if (init.detail) parts.push(`(${init.detail})`);
    let message = parts.join(' ');
    if (init.rid) message += `, rid ${init.rid}`;
    return message;
  }
}

/**
 * Decrypting `encryptedData` failed. Every failure (bad base64, key or iv length, padding, JSON, watermark,
 * age) gives the same message and no `cause`, so the error cannot serve as a padding oracle.
 *
 * @publicApi
 */
/**
 * 40013 on getuserphonenumber: the phone code was minted by another mini program than this
 * access_token's (docs/wechat-api-notes.md §6).
 */
const PHONE_CODE_FOR_OTHER_APP = 40013;

/**
 * getuserphonenumber refused the phone code itself (invalid, used, expired, or minted by another app
 * or for another user): the client's to fix by tapping the button again, not an outage of ours.
 * @publicApi
 */
export function isPhoneCodeRefused(error: WechatApiError): boolean {
  return (
    error.kind === 'CODE_INVALID' || error.kind === 'CODE_USED' || error.errcode === PHONE_CODE_FOR_OTHER_APP
  );
}

export class WechatDecryptError extends Error {
  override readonly name = 'WechatDecryptError';

  constructor() {
    super('Unable to decrypt WeChat data');
  }
}
