import type { ServerResponse } from 'node:http';
import type { OAuthScope } from './simulator-control.types.js';
import type { SimulatorContext } from './simulator-context.js';
import { send } from './simulator-http.js';
import { loggableBody } from './simulator-request-log.js';
import type { SimulatorApp, SimulatorAppKind } from './wechat-simulator.options.js';

/** The two authorize pages of `open.weixin.qq.com`, with the app kind and scopes each accepts. */
const PAGES: Record<string, { kind: SimulatorAppKind; scopes: readonly OAuthScope[] }> = {
  '/connect/oauth2/authorize': { kind: 'official_account', scopes: ['snsapi_base', 'snsapi_userinfo'] },
  '/connect/qrconnect': { kind: 'website', scopes: ['snsapi_login'] },
};

/** The header that repeats an error page's errcode, so tests need not parse HTML (simulator only). */
export const OAUTH_ERRCODE_HEADER = 'x-sim-errcode';

/** @internal */
export function isAuthorizePage(pathname: string): boolean {
  return pathname in PAGES;
}

/** A page refusal: WeChat shows an HTML page (HTTP 200) with a code and a short Chinese text. */
class PageError extends Error {
  constructor(
    readonly errcode: number,
    readonly text: string,
  ) {
    super(text);
  }
}

/**
 * Serves an authorize page as if the user had confirmed it at once: 302 to
 * `redirect_uri?code=…&state=…`, or an error page (docs/wechat-api-notes.md §14.1). The request is logged
 * like a WeChat API call; faults do not apply (no backend calls these pages).
 *
 * @internal
 */
export function serveAuthorizePage(ctx: SimulatorContext, res: ServerResponse, url: URL): void {
  const entry = ctx.log.start({
    method: 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: null,
    at: ctx.clock.now(),
  });
  entry.latencyMs = 0;
  try {
    const location = authorize(ctx, url);
    entry.status = 302;
    entry.response = { location };
    if (!res.destroyed) {
      res.writeHead(302, { Location: location, 'Content-Length': 0 });
      res.end();
    }
  } catch (error) {
    if (!(error instanceof PageError)) throw error;
    const page = errorPage(error.errcode, error.text);
    entry.status = 200;
    entry.response = loggableBody(page);
    if (!res.destroyed) res.setHeader(OAUTH_ERRCODE_HEADER, String(error.errcode));
    send(res, 200, 'text/html; charset=utf-8', page);
  }
}

function authorize(ctx: SimulatorContext, url: URL): string {
  const page = PAGES[url.pathname];
  const query = url.searchParams;
  const appid = query.get('appid');
  if (!appid) throw new PageError(10012, 'appid 参数错误');
  const app = ctx.state.apps.get(appid);
  // WeChat's 10016 means "this appid is not of the kind this page serves"; for an appid it does not know
  // at all no code is documented, so it gets 10016 too (our pick).
  if (!app || (app.kind ?? 'mini_program') !== page.kind) throw new PageError(10016, 'appid 参数错误');
  const redirect = query.get('redirect_uri');
  if (!redirect) throw new PageError(10011, 'redirect_uri 参数错误');
  const target = allowedRedirect(app, redirect);
  if (!target) throw new PageError(10003, 'redirect_uri 参数错误');
  const scope = query.get('scope');
  if (!scope) throw new PageError(10010, 'scope 参数错误');
  if (!page.scopes.includes(scope as OAuthScope)) {
    throw new PageError(10005, 'scope 参数错误或没有 scope 权限');
  }
  if (query.get('response_type') !== 'code') throw new PageError(10008, 'response_type 参数错误');

  const simUser = query.get('sim_user') ?? undefined;
  if (simUser !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(simUser)) {
    throw new PageError(10008, 'sim_user must be 1-64 chars of [A-Za-z0-9_-]');
  }
  const user = ctx.oauth.authorizingUser(app, simUser);
  const code = ctx.oauth.issueCode(user, scope as OAuthScope);
  // WeChat appends code and state (state even when empty) and drops any fragment.
  target.hash = '';
  target.searchParams.append('code', code);
  target.searchParams.append('state', query.get('state') ?? '');
  return target.toString();
}

/**
 * The redirect target if it is an http(s) URL on one of the app's redirect domains (or a subdomain of
 * one). A domain with a port must match the port too; one without matches any port.
 */
function allowedRedirect(app: SimulatorApp, redirect: string): URL | undefined {
  let target: URL;
  try {
    target = new URL(redirect);
  } catch {
    return undefined;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return undefined;
  const allowed = (app.redirectDomains ?? []).some((domain) => {
    const host = (domain.includes(':') ? target.host : target.hostname).toLowerCase();
    const want = domain.toLowerCase();
    return host === want || host.endsWith(`.${want}`);
  });
  return allowed ? target : undefined;
}

function errorPage(errcode: number, text: string): string {
  const safe = text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>微信登录</title></head>\n<body><div class="weui-msg"><h2 class="weui-msg__title">${safe}</h2><p class="weui-msg__desc">${errcode}</p></div></body></html>\n`;
}
