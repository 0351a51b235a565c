import { WechatApiError, type WechatApiName } from './wechat-api.error.js';

/** A decoded WeChat JSON body whose errcode was 0 or absent. @internal */
export type WechatPayload = Record<string, unknown>;

// C0 controls, DEL and C1 controls: what easywechat 3.x strips before json_decode
// (docs/wechat-api-notes.md §1).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;
const MAX_ERRMSG_LENGTH = 300;

/**
 * Parses a body as JSON whatever its Content-Type. Strict first (so well-formed strings keep their exact
 * content); if that fails, again with raw control characters removed, as WeChat has sent them unescaped.
 * Returns undefined when the body is not a JSON object. Never surfaces the SyntaxError: V8 quotes the
 * input in its message, and the input may hold a session_key or token.
 *
 * @internal
 */
export function parseLenientJson(text: string): WechatPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(text.replace(CONTROL_CHARS, ''));
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as WechatPayload)
    : undefined;
}

/**
 * errcode as WeChat sends it: an integer, occasionally a numeric string (wechatpy casts with int()).
 * Absent or null means success (jscode2session and the token endpoints omit it). NaN = unusable.
 *
 * @internal
 */
export function normalizeErrcode(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Number.isInteger(value) ? value : NaN;
  if (typeof value === 'string' && /^\s*-?\d{1,10}\s*$/.test(value)) return Number(value);
  return NaN;
}

/**
 * Replaces every credential the request carried (and its URL-encoded form) with `[redacted]`, in case
 * WeChat echoes one in errmsg, and caps the length.
 *
 * @internal
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      out = out.split(form).join('[redacted]');
  }
  return out.length > MAX_ERRMSG_LENGTH ? `${out.slice(0, MAX_ERRMSG_LENGTH)}…` : out;
}

/**
 * Turns a 200 body into a payload, or throws: MALFORMED when it is not a JSON object or errcode is not a
 * number, a kind-mapped {@link WechatApiError} when errcode ≠ 0.
 *
 * @internal
 */
export function checkWechatBody(
  api: WechatApiName,
  text: string,
  secrets: readonly (string | undefined)[],
): WechatPayload {
  const payload = parseLenientJson(text);
  if (!payload) throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'body is not a JSON object' });
  const errcode = normalizeErrcode(payload.errcode);
  if (Number.isNaN(errcode)) throw new WechatApiError({ api, kind: 'MALFORMED', detail: 'unusable errcode' });
  if (errcode !== 0) {
    const errmsg = typeof payload.errmsg === 'string' ? redact(payload.errmsg, secrets) : undefined;
    throw WechatApiError.fromErrcode(api, errcode, errmsg);
  }
  return payload;
}

/** A required non-empty string field of a success payload, or MALFORMED. @internal */
export function requireString(api: WechatApiName, payload: WechatPayload, field: string): string {
  const value = payload[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new WechatApiError({ api, kind: 'MALFORMED', detail: `missing ${field}` });
  }
  return value;
}

/** A required object field of a success payload, or MALFORMED. @internal */
export function requireObject(api: WechatApiName, payload: WechatPayload, field: string): WechatPayload {
  const value = payload[field];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WechatApiError({ api, kind: 'MALFORMED', detail: `missing ${field}` });
  }
  return value as WechatPayload;
}

/** A required number field (JSON number or numeric string), or MALFORMED. @internal */
export function requireNumber(api: WechatApiName, payload: WechatPayload, field: string): number {
  const value = payload[field];
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isFinite(number))
    throw new WechatApiError({ api, kind: 'MALFORMED', detail: `missing ${field}` });
  return number;
}
