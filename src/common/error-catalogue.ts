import { ApiException } from './api.exception.js';

/** One stable error code: the status it is always sent with, what it means and what the client does. */
export interface ErrorCatalogueEntry {
  readonly status: number;
  readonly meaning: string;
  readonly clientAction: string;
}

/**
 * Every `code` an error response of this service can carry: the one list the throwers ({@link apiError}),
 * the error filter, the Swagger descriptions ({@link describeErrors}) and the table in docs/api.md are built from
 * or checked against (`error-catalogue.spec.ts`). Clients branch on `code`, never on `message`.
 *
 * Ordered by status; `STATUS_FALLBACK_CODES` below are what framework errors without a code of ours get.
 * docs/api.md: `node scripts/error-table.mjs --write` (after `npm run build`) regenerates its table.
 * @publicApi
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: {
    status: 400,
    meaning: 'A body field is missing, malformed or not allowed (e.g. an `openid` or `userId`)',
    clientAction: 'Fix the request; sent again unchanged it fails again',
  },
  QUERY_NOT_ALLOWED: {
    status: 400,
    meaning: 'A query parameter on a route that takes none: identity comes from the session token only',
    clientAction: 'Drop the query string',
  },
  UNKNOWN_APPID: {
    status: 400,
    meaning: 'Login for an appid this service does not serve',
    clientAction: "Send your mini program's own appid, or none",
  },
  PHONE_CODE_INVALID: {
    status: 400,
    meaning: 'The phone code is invalid, expired, already used, or was minted for another user or app',
    clientAction: 'Tap the phone-number button again',
  },
  DECRYPT_FAILED: {
    status: 400,
    meaning: 'Encrypted open data failed decryption or verification (one code for every failure)',
    clientAction: 'Call `wx.login`, log in again, fetch the data again and retry',
  },
  AVATAR_MISSING: {
    status: 400,
    meaning: 'No image in the upload: not multipart, no file part, or a malformed body',
    clientAction: 'Send the image as a multipart file part (`wx.uploadFile`)',
  },
  OAUTH_STATE_INVALID: {
    status: 400,
    meaning:
      "A web login's callback whose `state` is missing, does not match this browser's state cookie (absent, tampered, expired, another browser's) or was already used",
    clientAction: 'Start the web login again from `/auth/oauth/{appid}/authorize`',
  },
  OAUTH_REDIRECT_NOT_ALLOWED: {
    status: 400,
    meaning:
      "A web login's `redirect` is not an absolute http(s) URL on an allowed origin (`OAUTH_REDIRECT_ALLOWLIST`); nothing was redirected",
    clientAction: "Fix the page's redirect URL, or have its origin added to the allow-list",
  },
  BAD_REQUEST: {
    status: 400,
    meaning:
      'A malformed request: a JSON body that is empty or not JSON, a bad Content-Length or Host header',
    clientAction: 'Fix the request',
  },
  OPERATOR_UNAUTHORIZED: {
    status: 401,
    meaning: 'An operator route without a valid operator credential',
    clientAction: 'Operators: send `Authorization: Bearer <operator credential>`',
  },
  SESSION_INVALID: {
    status: 401,
    meaning: 'No valid session token: missing, malformed, unknown or revoked',
    clientAction: 'Call `wx.login` and log in again',
  },
  SESSION_EXPIRED: {
    status: 401,
    meaning: 'The session has expired',
    clientAction: 'Call `wx.login` and log in again',
  },
  LOGIN_CODE_INVALID: {
    status: 401,
    meaning: 'The login code is invalid or expired',
    clientAction: 'Call `wx.login` for a new code and log in with it',
  },
  LOGIN_CODE_USED: {
    status: 401,
    meaning: 'The login code was already used',
    clientAction: 'Call `wx.login` for a new code and log in with it',
  },
  CLOUD_HOSTING_IDENTITY_MISSING: {
    status: 401,
    meaning:
      'A Cloud Hosting login without the identity WeChat injects: no `X-WX-APPID`/`X-WX-OPENID`, or an `X-WX-SOURCE` other than a mini program (`wx_client`, `wx_devtools`)',
    clientAction:
      'Call the route through `wx.cloud.callContainer` from the mini program, or log in with `wx.login`',
  },
  OAUTH_DENIED: {
    status: 401,
    meaning:
      'Web login, sent as `#error=` on the final redirect: the user did not authorize (WeChat sent no code)',
    clientAction: 'Offer to log in again',
  },
  OAUTH_CODE_INVALID: {
    status: 401,
    meaning: 'Web login, sent as `#error=`: WeChat refused the authorization code as invalid or expired',
    clientAction: 'Start the web login again',
  },
  OAUTH_CODE_USED: {
    status: 401,
    meaning: 'Web login, sent as `#error=`: the authorization code was already used',
    clientAction: 'Start the web login again',
  },
  UNAUTHORIZED: {
    status: 401,
    meaning: 'A 401 from the framework without a code of ours',
    clientAction: 'Call `wx.login` and log in again',
  },
  WECHAT_RISK_BLOCKED: {
    status: 403,
    meaning: 'WeChat blocked this login as high-risk',
    clientAction: 'Do not retry automatically; tell the user',
  },
  SESSION_WRONG_APP: {
    status: 403,
    meaning:
      'The session was issued to another app than the ones this route (or service) accepts (`@ForApps()`, `sessionApps`)',
    clientAction: "Log in from one of the route's apps; do not retry with this session",
  },
  OAUTH_SNAPSHOT_USER: {
    status: 403,
    meaning:
      "Web login, sent as `#error=`: WeChat opened a snapshot of the page, whose virtual user is nobody's account",
    clientAction: 'Ask the user to open the page in full in WeChat and log in again',
  },
  FORBIDDEN: {
    status: 403,
    meaning: 'A 403 from the framework without a code of ours',
    clientAction: 'Do not retry',
  },
  SESSION_NOT_FOUND: {
    status: 404,
    meaning: 'You have no session with this id',
    clientAction: 'Refresh the session list',
  },
  USER_NOT_FOUND: {
    status: 404,
    meaning: 'The user behind this session no longer exists',
    clientAction: 'Call `wx.login` and log in again',
  },
  USER_BANNED: {
    status: 403,
    meaning: 'An operator banned this user: login and every session are refused',
    clientAction: 'Show that the account is suspended; do not retry',
  },
  AVATAR_UPLOADS_DISABLED: {
    status: 403,
    meaning: 'This deployment does not store avatars (`AVATAR_UPLOADS_ENABLED=false`)',
    clientAction: 'Keep the avatar on the device, or send an `https` `avatarUrl` hosted elsewhere',
  },
  OPERATOR_API_DISABLED: {
    status: 404,
    meaning:
      'The operator API (`/admin`, and `/metrics` behind it) is off: no `OPERATOR_CREDENTIALS` configured',
    clientAction: 'Operators: configure a credential (README, Operator API)',
  },
  AVATAR_NOT_FOUND: {
    status: 404,
    meaning: 'No stored avatar with this name',
    clientAction: 'Show a placeholder image',
  },
  NOT_FOUND: {
    status: 404,
    meaning: 'No such route',
    clientAction: 'Fix the path',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    meaning: 'The path exists but not with this method; `Allow` lists the methods it takes',
    clientAction: 'Use a method from `Allow`',
  },
  ACCOUNT_CONFLICT: {
    status: 409,
    meaning:
      "The login's WeChat identity, unionid or verified phone belongs to two different existing accounts; nothing was merged (`conflict.accounts` lists them)",
    clientAction: 'Explain it to the user; log in again with `merge: true` if they confirm, or ask support',
  },
  AVATAR_TOO_LARGE: {
    status: 413,
    meaning: 'The avatar is over 2 MB',
    clientAction: 'Send a smaller image',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    meaning: 'A JSON body over 16 kB',
    clientAction: 'Send a smaller body',
  },
  AVATAR_UNSUPPORTED_TYPE: {
    status: 415,
    meaning: 'The avatar is not a PNG, JPEG or WebP image',
    clientAction: 'Send a PNG, JPEG or WebP image',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    meaning: 'A body that is not JSON (or multipart, for the avatar upload)',
    clientAction: 'Send `application/json`',
  },
  AVATAR_DIMENSIONS_TOO_LARGE: {
    status: 422,
    meaning: 'The avatar declares a width or height over `AVATAR_MAX_DIMENSION` pixels',
    clientAction: 'Crop or scale the image down (`chooseAvatar` images always fit)',
  },
  NICKNAME_REJECTED: {
    status: 422,
    meaning: 'WeChat content security did not pass this nickname',
    clientAction: 'Ask the user for another nickname',
  },
  UNPROCESSABLE_ENTITY: {
    status: 422,
    meaning: 'A 422 from the framework without a code of ours',
    clientAction: 'Fix the request',
  },
  WECHAT_RATE_LIMITED: {
    status: 429,
    meaning: 'WeChat rate-limited this call',
    clientAction: 'Retry after `Retry-After` seconds',
  },
  RATE_LIMITED: {
    status: 429,
    meaning:
      'Our own rate limit: logins per IP, requests per session, failed tokens per IP, or a per-user hourly budget (WeChat calls, avatar uploads)',
    clientAction: 'Retry after `Retry-After` seconds',
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    meaning: 'A 429 from the framework without a code of ours',
    clientAction: 'Retry later',
  },
  INTERNAL_ERROR: {
    status: 500,
    meaning: 'A bug: logged with the request id; the body says nothing more',
    clientAction: 'Report the `requestId`; do not retry in a loop',
  },
  WECHAT_BAD_GATEWAY: {
    status: 502,
    meaning: 'Our WeChat integration or WeChat itself failed (credentials, configuration, an odd answer)',
    clientAction: 'Not fixable by the client: show an error and report the `requestId`',
  },
  WECHAT_UNAVAILABLE: {
    status: 503,
    meaning: 'WeChat is busy, slow or unreachable',
    clientAction: 'Retry after `Retry-After` seconds (a login needs a new `wx.login` code)',
  },
  SESSION_STORE_UNAVAILABLE: {
    status: 503,
    meaning: 'The session store (Redis) did not answer in time',
    clientAction: 'Retry after `Retry-After` seconds; never a reason to log in again',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    meaning: 'The user database did not answer in time',
    clientAction: 'Retry after `Retry-After` seconds',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    meaning: '`/health/ready`: the database or Redis did not answer its ping (or another 503 without a code)',
    clientAction: 'Load balancer: send no traffic here',
  },
  SHUTTING_DOWN: {
    status: 503,
    meaning: '`/health/ready` after SIGTERM: the instance is draining',
    clientAction: 'Load balancer: send no traffic here',
  },
  AVATAR_STORAGE_FULL: {
    status: 507,
    meaning: 'The avatar volume has less free space than `AVATAR_MIN_FREE_MB`; nothing was stored',
    clientAction: 'Keep the old avatar; retry later (operators: free space or grow the volume)',
  },
} as const satisfies Record<string, ErrorCatalogueEntry>;

/** A stable error code. @publicApi */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * The code an error gets from its status alone: framework and Fastify errors that carry no code of ours.
 * Any other status becomes `HTTP_<status>` (nothing here answers one).
 */
export const STATUS_FALLBACK_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNPROCESSABLE_ENTITY',
  'TOO_MANY_REQUESTS',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
] as const satisfies readonly ErrorCode[];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/**
 * A subset of the catalogue as a `{ CODE: 'CODE' }` object, for per-module views such as `AuthErrorCode`.
 */
export function errorCodes<const C extends ErrorCode>(...codes: C[]): { readonly [K in C]: K } {
  return Object.freeze(Object.fromEntries(codes.map((code) => [code, code]))) as { readonly [K in C]: K };
}

/**
 * The error for `code`, with the catalogue's status (so the two can never disagree). `message` is for
 * people (defaults to the catalogue's meaning); `headers` are sent with it (WWW-Authenticate, Retry-After).
 * @publicApi
 */
export function apiError(
  code: ErrorCode,
  message?: string,
  headers?: Readonly<Record<string, string>>,
): ApiException {
  const entry: ErrorCatalogueEntry = ERROR_CATALOGUE[code];
  return new ApiException(entry.status, code, message ?? entry.meaning, headers);
}

/**
 * Swagger response descriptions for `codes`, one Markdown description per status:
 * `` `CODE`: meaning. What the client does. `` for each code, in the order given.
 */
export function describeErrors(...codes: ErrorCode[]): Record<number, string> {
  const byStatus: Record<number, string[]> = {};
  for (const code of new Set(codes)) {
    const { status, meaning, clientAction }: ErrorCatalogueEntry = ERROR_CATALOGUE[code];
    (byStatus[status] ??= []).push(`\`${code}\`: ${meaning}. ${clientAction}.`);
  }
  return Object.fromEntries(
    Object.entries(byStatus).map(([status, lines]) => [status, lines.join('\n\n')]),
  ) as Record<number, string>;
}
