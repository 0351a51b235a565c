import type { SimulatorContext } from './simulator-context.js';
import { sessionKeySignature } from './simulator-crypto.js';
import { WechatError } from './simulator-errors.js';
import type { SimulatedUser } from './simulator-state.js';
import type { AccessTokenRecord } from './simulator-tokens.js';
import { ok, requireToken, tokenAppid, type WechatCall, type WechatEndpoint } from './wechat-endpoint.js';

/**
 * `GET /sns/jscode2session` (docs/wechat-api-notes.md §2). Parameters are read from the query string only, so
 * a client posting them in a body gets 41002 like on WeChat. No errcode on success.
 */
export const jscode2session: WechatEndpoint = {
  api: 'jscode2session',
  path: '/sns/jscode2session',
  target(ctx, call) {
    const code = ctx.state.loginCodes.get(call.query.get('js_code') ?? '');
    return { appid: call.query.get('appid') ?? undefined, openid: code?.openid };
  },
  handle(ctx, call) {
    const query = call.query;
    const appid = query.get('appid');
    const secret = query.get('secret');
    const jsCode = query.get('js_code');
    if (!appid) throw new WechatError(41002);
    if (!secret) throw new WechatError(41004);
    if (!jsCode) throw new WechatError(41008);
    if (query.get('grant_type') !== 'authorization_code') throw new WechatError(40002);
    const app = ctx.state.apps.get(appid);
    if (!app) throw new WechatError(40013);
    if (app.secret !== secret) throw new WechatError(40125);

    const code = ctx.state.loginCodes.get(jsCode);
    if (!code || code.appid !== appid) throw new WechatError(40029);
    // Reuse answers 40163 as observed 2020-2025, even though the doc table lists only 40029.
    if (code.used) throw new WechatError(40163);
    if (code.expiresAt <= ctx.clock.now()) throw new WechatError(40029);
    const user = ctx.state.user(appid, code.openid)!;
    if (user.riskBlocked) throw new WechatError(40226);
    if (!ctx.state.takeLoginSlot(appid, user.openid)) throw new WechatError(45011);
    code.used = true;
    const answer: Record<string, string> = { session_key: code.sessionKey, openid: user.openid };
    if (user.unionid) answer.unionid = user.unionid;
    return answer;
  },
  onErrcodeFault(ctx, call, fault) {
    // Whether a failed exchange burned the code is unknown (docs/wechat-api-notes.md §12.3): tests choose.
    if (!fault.consumeCode) return;
    const code = ctx.state.loginCodes.get(call.query.get('js_code') ?? '');
    if (code && code.appid === call.query.get('appid')) code.used = true;
  },
};

/**
 * Shared checks of checksession and resetusersessionkey: token, `sig_method=hmac_sha256` (87008),
 * the openid (40003; another app's user means the token is the wrong one: 40001), then the
 * signature over the user's current, unexpired session_key (87009).
 */
function signedUser(
  ctx: SimulatorContext,
  call: WechatCall,
): { token: AccessTokenRecord; user: SimulatedUser } {
  const token = requireToken(ctx, call);
  if (call.query.get('sig_method') !== 'hmac_sha256') throw new WechatError(87008);
  const openid = call.query.get('openid');
  if (!openid) throw new WechatError(40003);
  const user = ctx.state.user(token.appid, openid);
  if (!user) throw new WechatError(ctx.state.belongsToOtherApp(token.appid, openid) ? 40001 : 40003);
  const key = ctx.state.validSessionKey(user);
  // Lowercase hex only, as in every official example; whether WeChat accepts uppercase is unverified.
  if (!key || call.query.get('signature') !== sessionKeySignature(key.key)) throw new WechatError(87009);
  return { token, user };
}

function signedTarget(ctx: SimulatorContext, call: WechatCall) {
  return { appid: tokenAppid(ctx, call), openid: call.query.get('openid') ?? undefined };
}

/** `GET /wxa/checksession` (docs/wechat-api-notes.md §3). */
export const checksession: WechatEndpoint = {
  api: 'checksession',
  path: '/wxa/checksession',
  target: signedTarget,
  handle(ctx, call) {
    signedUser(ctx, call);
    return ok();
  },
};

/**
 * `GET /wxa/resetusersessionkey` (docs/wechat-api-notes.md §4): old key dead at once, new key keeps its
 * expiry.
 */
export const resetusersessionkey: WechatEndpoint = {
  api: 'resetusersessionkey',
  path: '/wxa/resetusersessionkey',
  target: signedTarget,
  handle(ctx, call) {
    const { user } = signedUser(ctx, call);
    const key = ctx.state.replaceSessionKey(user);
    return ok({ openid: user.openid, session_key: key.key });
  },
};
