import type { SimulatorContext } from './simulator-context.js';
import { WechatError } from './simulator-errors.js';
import { bodyString, jsonBody, peekBody, requirePost, str, type WechatEndpoint } from './wechat-endpoint.js';

/** grant_type, then appid and secret, in the order WeChat reports them. */
function checkCredentials(
  ctx: SimulatorContext,
  grantType: unknown,
  appid: string | null,
  secret: string | null,
): void {
  if (!appid) throw new WechatError(41002);
  if (!secret) throw new WechatError(41004);
  if (grantType !== 'client_credential') throw new WechatError(40002);
  const app = ctx.state.apps.get(appid);
  if (!app) throw new WechatError(40013);
  if (app.secret !== secret) throw new WechatError(40125);
}

/** `GET /cgi-bin/token` (docs/wechat-api-notes.md §5.1): a new token per call; no errcode on success. */
export const token: WechatEndpoint = {
  api: 'token',
  path: '/cgi-bin/token',
  target: (_ctx, call) => ({ appid: call.query.get('appid') ?? undefined }),
  handle(ctx, call) {
    const appid = call.query.get('appid');
    checkCredentials(ctx, call.query.get('grant_type'), appid, call.query.get('secret'));
    return { ...ctx.tokens.issueClassic(appid!) };
  },
};

/** `POST /cgi-bin/stable_token` (docs/wechat-api-notes.md §5.2): JSON body only. */
export const stableToken: WechatEndpoint = {
  api: 'stable_token',
  path: '/cgi-bin/stable_token',
  target: (_ctx, call) => ({ appid: str(peekBody(call).appid) }),
  handle(ctx, call) {
    requirePost(call);
    const body = jsonBody(call);
    const appid = bodyString(body, 'appid', 41002);
    const secret = bodyString(body, 'secret', 41004);
    const force = body.force_refresh ?? false;
    if (typeof force !== 'boolean') throw new WechatError(47001);
    checkCredentials(ctx, body.grant_type, appid, secret);
    return { ...ctx.tokens.issueStable(appid, force) };
  },
};
