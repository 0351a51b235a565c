import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SimulatorContext } from './simulator-context.js';
import { errorBody, WechatError } from './simulator-errors.js';
import { send } from './simulator-http.js';
import { loggableBody } from './simulator-request-log.js';
import { getuserphonenumber, msgSecCheck } from './wechat-business.endpoints.js';
import type { WechatBody, WechatCall, WechatEndpoint } from './wechat-endpoint.js';
import { checksession, jscode2session, resetusersessionkey } from './wechat-login.endpoints.js';
import { oauthAccessToken, oauthAuth, oauthRefreshToken, oauthUserinfo } from './wechat-oauth.endpoints.js';
import { stableToken, token } from './wechat-token.endpoints.js';

const ENDPOINTS = new Map<string, WechatEndpoint>(
  [
    jscode2session,
    checksession,
    resetusersessionkey,
    token,
    stableToken,
    getuserphonenumber,
    msgSecCheck,
    oauthAccessToken,
    oauthRefreshToken,
    oauthUserinfo,
    oauthAuth,
  ].map((endpoint) => [endpoint.path, endpoint]),
);

// What an nginx gateway in front of WeChat sends; clients must not try to JSON-parse it.
const gatewayPage = (status: string) =>
  `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

const CONTROL_CHARS = '\u0001\t\u001f';
const PLACEHOLDER = '\uE000';

/**
 * Answers one request to a WeChat path: logs it, applies the first matching fault, otherwise runs
 * the endpoint. Business errors are HTTP 200 with `{errcode, errmsg}`.
 *
 * @internal
 */
export async function serveWechat(
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawBody: string,
): Promise<void> {
  const startedAt = performance.now();
  const method = req.method ?? 'GET';
  const entry = ctx.log.start({
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: loggableBody(rawBody),
    at: ctx.clock.now(),
  });
  const finish = (status: number, contentType: string, text: string): void => {
    send(res, status, contentType, text);
    entry.status = status;
    entry.latencyMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
    entry.response = loggableBody(text);
    // Only the outcome: the answer may hold a session_key or token, the query an AppSecret.
    if (!ctx.options.quiet)
      console.log(`[wechat-simulator] ${method} ${url.pathname} -> ${status} ${outcome(entry)}`);
  };

  const endpoint = ENDPOINTS.get(url.pathname);
  if (!endpoint) {
    finish(
      200,
      'application/json; encoding=utf-8',
      JSON.stringify(errorBody(40066, ctx.clock.now(), ctx.random)),
    );
    return;
  }
  const call: WechatCall = { method, query: url.searchParams, rawBody };
  const contentType = ctx.options.contentTypes[endpoint.api];
  const fault = ctx.faults.take(endpoint.api, endpoint.target(ctx, call));
  if (fault) entry.fault = fault.type === 'errcode' ? `errcode:${fault.errcode}` : fault.type;

  switch (fault?.type) {
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'hang':
      // Left open until the client gives up or the simulator closes all connections.
      return;
    case 'http502':
      finish(502, 'text/html', gatewayPage('502 Bad Gateway'));
      return;
    case 'http504':
      finish(504, 'text/html', gatewayPage('504 Gateway Time-out'));
      return;
    case 'errcode':
      endpoint.onErrcodeFault?.(ctx, call, fault);
      finish(
        200,
        contentType,
        JSON.stringify(errorBody(fault.errcode!, ctx.clock.now(), ctx.random, fault.errmsg)),
      );
      return;
    case 'delay':
      await ctx.sleep(fault.delayMs ?? 0);
      break;
  }

  const body = run(ctx, endpoint, call);
  let text = JSON.stringify(body);
  // Half of the real answer: a complete HTTP response whose body is cut-off JSON.
  if (fault?.type === 'truncated') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  if (fault?.type === 'control-chars') text = withControlChars(body);
  finish(200, contentType, text);
}

function outcome(entry: { response: unknown; fault?: string }): string {
  const errcode = (entry.response as { errcode?: unknown } | null)?.errcode;
  const result = typeof errcode === 'number' && errcode !== 0 ? `errcode ${errcode}` : 'ok';
  return entry.fault ? `${result} (fault: ${entry.fault})` : result;
}

function run(ctx: SimulatorContext, endpoint: WechatEndpoint, call: WechatCall): WechatBody {
  try {
    return endpoint.handle(ctx, call);
  } catch (error) {
    if (error instanceof WechatError)
      return errorBody(error.errcode, ctx.clock.now(), ctx.random, error.text);
    throw error;
  }
}

/**
 * The answer with raw (unescaped) control characters inside a string, as WeChat has sent
 * (docs/wechat-api-notes.md §1 "JSON leniency"). They go into `errmsg` when there is one, else into an extra
 * `sim_note` field, so a client that strips them or parses leniently still reads correct values.
 */
function withControlChars(body: WechatBody): string {
  const marked =
    typeof body.errmsg === 'string'
      ? { ...body, errmsg: body.errmsg + PLACEHOLDER }
      : { ...body, sim_note: PLACEHOLDER };
  return JSON.stringify(marked).replace(PLACEHOLDER, CONTROL_CHARS);
}
