import type { SimulatorContext } from './simulator-context.js';
import { WechatError } from './simulator-errors.js';
import { OAUTH_TOKEN_TTL_MS, type OAuthTokenRecord } from './simulator-oauth.js';
import { ok, type WechatBody, type WechatCall, type WechatEndpoint } from './wechat-endpoint.js';

/**
 * The `sns/*` half of WeChat's web OAuth (docs/wechat-api-notes.md §14): the code exchange, the refresh,
 * userinfo and the token check. Parameters come from the query string only. Tokens here are user tokens,
 * a namespace of their own: a `cgi-bin/token` access_token is unknown to them (40001) and vice versa.
 */

/** `unionid` is told only when the app is bound and the scope is not `snsapi_base` (§14). */
function unionidOf(ctx: SimulatorContext, grant: OAuthTokenRecord): string | undefined {
  if (grant.scope === 'snsapi_base') return undefined;
  return ctx.state.user(grant.appid, grant.openid)?.unionid;
}

function tokenAnswer(ctx: SimulatorContext, access: OAuthTokenRecord, refreshToken: string): WechatBody {
  const answer: WechatBody = {
    access_token: access.token,
    expires_in: OAUTH_TOKEN_TTL_MS / 1000,
    refresh_token: refreshToken,
    openid: access.openid,
    scope: access.scope,
  };
  if (access.snapshot) answer.is_snapshotuser = 1;
  const unionid = unionidOf(ctx, access);
  if (unionid) answer.unionid = unionid;
  return answer;
}

/** `GET /sns/oauth2/access_token`: code → user access token. No errcode on success. */
export const oauthAccessToken: WechatEndpoint = {
  api: 'sns/oauth2/access_token',
  path: '/sns/oauth2/access_token',
  target(ctx, call) {
    const code = ctx.oauth.codes.get(call.query.get('code') ?? '');
    return { appid: call.query.get('appid') ?? undefined, openid: code?.openid };
  },
  handle(ctx, call) {
    const query = call.query;
    const appid = query.get('appid');
    const secret = query.get('secret');
    const codeText = query.get('code');
    if (!appid) throw new WechatError(41002);
    if (!secret) throw new WechatError(41004);
    if (!codeText) throw new WechatError(41008);
    if (query.get('grant_type') !== 'authorization_code') throw new WechatError(40002);
    const app = ctx.state.apps.get(appid);
    if (!app) throw new WechatError(40013);
    if (app.secret !== secret) throw new WechatError(40125);
    const code = ctx.oauth.codes.get(codeText);
    if (!code || code.appid !== appid) throw new WechatError(40029);
    if (code.used) throw new WechatError(40163);
    if (code.expiresAt <= ctx.clock.now()) throw new WechatError(40029);
    const { access, refresh } = ctx.oauth.grant(code);
    return tokenAnswer(ctx, access, refresh.token);
  },
};

/** `GET /sns/oauth2/refresh_token`: a new access token; the refresh token keeps its 30 days. */
export const oauthRefreshToken: WechatEndpoint = {
  api: 'sns/oauth2/refresh_token',
  path: '/sns/oauth2/refresh_token',
  target(ctx, call) {
    const refresh = ctx.oauth.peekRefresh(call.query.get('refresh_token'));
    return { appid: call.query.get('appid') ?? undefined, openid: refresh?.openid };
  },
  handle(ctx, call) {
    const query = call.query;
    const appid = query.get('appid');
    const refreshText = query.get('refresh_token');
    if (!appid) throw new WechatError(41002);
    if (query.get('grant_type') !== 'refresh_token') throw new WechatError(40002);
    if (!refreshText) throw new WechatError(41003);
    if (!ctx.state.apps.has(appid)) throw new WechatError(40013);
    const refresh = ctx.oauth.peekRefresh(refreshText);
    if (!refresh || refresh.appid !== appid) throw new WechatError(40030);
    if (refresh.expiresAt <= ctx.clock.now()) throw new WechatError(42002);
    return tokenAnswer(ctx, ctx.oauth.refresh(refresh), refresh.token);
  },
};

/** Token first (41001 / 40001 / 42001), then the openid it was issued for (40003). */
function tokenForOpenid(ctx: SimulatorContext, call: WechatCall): OAuthTokenRecord {
  const token = ctx.oauth.validateAccess(call.query.get('access_token'));
  if (call.query.get('openid') !== token.openid) throw new WechatError(40003);
  return token;
}

function tokenTarget(ctx: SimulatorContext, call: WechatCall) {
  const token = ctx.oauth.peekAccess(call.query.get('access_token'));
  return { appid: token?.appid, openid: token?.openid ?? call.query.get('openid') ?? undefined };
}

/** `GET /sns/userinfo`: the profile, for `snsapi_userinfo` and `snsapi_login` tokens only (48001). */
export const oauthUserinfo: WechatEndpoint = {
  api: 'sns/userinfo',
  path: '/sns/userinfo',
  target: tokenTarget,
  handle(ctx, call) {
    const token = ctx.oauth.validateAccess(call.query.get('access_token'));
    if (token.scope === 'snsapi_base') throw new WechatError(48001);
    if (call.query.get('openid') !== token.openid) throw new WechatError(40003);
    const profile = ctx.oauth.profile(token.appid, token.openid);
    const answer: WechatBody = { openid: token.openid, ...profile, privilege: [] };
    const unionid = ctx.state.user(token.appid, token.openid)?.unionid;
    if (unionid) answer.unionid = unionid;
    return answer;
  },
};

/** `GET /sns/auth`: is this user access token still good for this openid. */
export const oauthAuth: WechatEndpoint = {
  api: 'sns/auth',
  path: '/sns/auth',
  target: tokenTarget,
  handle(ctx, call) {
    tokenForOpenid(ctx, call);
    return ok();
  },
};
