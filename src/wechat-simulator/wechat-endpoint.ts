import type { SimulatorContext } from './simulator-context.js';
import { WechatError } from './simulator-errors.js';
import type { ActiveFault, FaultTarget } from './simulator-faults.js';
import type { AccessTokenRecord } from './simulator-tokens.js';
import type { WechatApiName } from './wechat-simulator.options.js';

/** One incoming WeChat API request. @internal */
export interface WechatCall {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly rawBody: string;
}

/** A JSON answer body; errors are thrown as `WechatError` instead. @internal */
export type WechatBody = Record<string, unknown>;

/** A simulated WeChat endpoint. @internal */
export interface WechatEndpoint {
  readonly api: WechatApiName;
  readonly path: string;
  /** Who the call is about, for fault filters; must not throw or change state. */
  target(ctx: SimulatorContext, call: WechatCall): FaultTarget;
  handle(ctx: SimulatorContext, call: WechatCall): WechatBody;
  /** Side effects of an injected errcode (e.g. a login code consumed by a -1). */
  onErrcodeFault?(ctx: SimulatorContext, call: WechatCall, fault: ActiveFault): void;
}

/** `{"errcode":0,"errmsg":"ok", …}`, the success shape of every endpoint except code2Session and tokens. */
export function ok(fields: WechatBody = {}): WechatBody {
  return { errcode: 0, errmsg: 'ok', ...fields };
}

/** POST-only endpoints answer other methods with 43002 (msg_sec_check documents 43302). */
export function requirePost(call: WechatCall, errcode = 43002): void {
  if (call.method !== 'POST') throw new WechatError(errcode);
}

/**
 * The JSON body of a POST endpoint: empty → 44002; not a JSON object, or `access_token` put in the
 * body instead of the query string → 47001 (docs/wechat-api-notes.md §1).
 */
export function jsonBody(call: WechatCall): Record<string, unknown> {
  if (call.rawBody.trim().length === 0) throw new WechatError(44002);
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.rawBody);
  } catch {
    throw new WechatError(47001);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || 'access_token' in parsed) {
    throw new WechatError(47001);
  }
  return parsed as Record<string, unknown>;
}

/** The JSON body if it is one, for fault targeting; never throws. */
export function peekBody(call: WechatCall): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(call.rawBody);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A string field of a JSON body: absent or empty → `missing`, another type → 47001. */
export function bodyString(body: Record<string, unknown>, key: string, missing: number): string {
  const value = body[key];
  if (value === undefined || value === null || value === '') throw new WechatError(missing);
  if (typeof value !== 'string') throw new WechatError(47001);
  return value;
}

/** Validates the `access_token` query parameter (41001 / 40001 / 42001). */
export function requireToken(ctx: SimulatorContext, call: WechatCall): AccessTokenRecord {
  return ctx.tokens.validate(call.query.get('access_token'));
}

/** The app behind the call's access_token, valid or not, for fault targeting. */
export function tokenAppid(ctx: SimulatorContext, call: WechatCall): string | undefined {
  return ctx.tokens.peek(call.query.get('access_token'))?.appid;
}

/** A string value or undefined, for fault targeting. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
