import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { WechatApiError } from './wechat-api.error.js';
import { WechatClient } from './wechat.client.js';
import type { WechatCallObservation, WechatModuleOptions } from './wechat-options.interface.js';

// A scripted stand-in for api.weixin.qq.com, for shapes the simulator does not emit (numeric-string
// errcode, numeric countryCode, odd payloads). The contract suite runs the same client against the simulator.

const APPID = 'wx0123456789abcdef';
const SECRET = '0123456789abcdef0123456789abcdef';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  contentType?: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let routes: Record<string, Handler> = {};

function text(body: string, contentType = 'text/plain'): Handler {
  return (_seen, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
}

const silent: LoggerService = { log() {}, warn() {}, error() {}, debug() {} };

function client(options: Partial<WechatModuleOptions> = {}): WechatClient {
  return new WechatClient({ apps: [{ appid: APPID, secret: SECRET }], baseUrl, logger: silent, ...options });
}

async function failure(promise: Promise<unknown>): Promise<WechatApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WechatApiError);
  return error as WechatApiError;
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const entry: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8'),
        contentType: req.headers['content-type'],
      };
      seen.push(entry);
      const handler = routes[url.pathname];
      if (handler) handler(entry, res);
      else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  routes = {
    '/cgi-bin/stable_token': text(
      '{"access_token":"TOKEN-1","expires_in":7200}',
      'application/json; encoding=utf-8',
    ),
  };
});

describe('WechatClient (scripted server)', () => {
  it('code2Session sends query params only and reads a text/plain body without errcode', async () => {
    routes['/sns/jscode2session'] = text(
      '{"session_key":"nzoqhc3OnwHzeTxJs+inbQ==","openid":"oA","unionid":"uA"}',
    );
    const wechat = client();
    await expect(wechat.code2Session(APPID, 'CODE1')).resolves.toEqual({
      openid: 'oA',
      sessionKey: 'nzoqhc3OnwHzeTxJs+inbQ==',
      unionid: 'uA',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(Object.fromEntries(seen[0].query)).toEqual({
      appid: APPID,
      secret: SECRET,
      js_code: 'CODE1',
      grant_type: 'authorization_code',
    });
    await wechat.close();
  });

  it('keeps a base URL path prefix', async () => {
    routes['/prefix/sns/jscode2session'] = text('{"session_key":"k","openid":"oA"}');
    const wechat = client({ baseUrl: `${baseUrl}/prefix/` });
    await expect(wechat.code2Session(APPID, 'CODE1')).resolves.toEqual({ openid: 'oA', sessionKey: 'k' });
    await wechat.close();
  });

  it('maps a numeric-string errcode and never retries code2Session', async () => {
    routes['/sns/jscode2session'] = text(
      '{"errcode":"-1","errmsg":"system error rid: 66c69111-2c5e6f0e-1b6a2f04"}',
    );
    const wechat = client();
    const error = await failure(wechat.code2Session(APPID, 'CODE1'));
    expect(error).toMatchObject({ kind: 'BUSY', errcode: -1, rid: '66c69111-2c5e6f0e-1b6a2f04' });
    expect(seen).toHaveLength(1);
    await wechat.close();
  });

  it('treats a success without the required fields as MALFORMED', async () => {
    routes['/sns/jscode2session'] = text('{"session_key":"k"}');
    const wechat = client();
    expect(await failure(wechat.code2Session(APPID, 'CODE1'))).toMatchObject({
      kind: 'MALFORMED',
      detail: 'missing openid',
    });
    await wechat.close();
  });

  it('rejects an empty code and an unknown appid without a request', async () => {
    const wechat = client();
    expect((await failure(wechat.code2Session(APPID, ''))).kind).toBe('CODE_INVALID');
    expect((await failure(wechat.getPhoneNumber(APPID, '', 'oA'))).kind).toBe('CODE_INVALID');
    expect((await failure(wechat.checkSessionKey('wxfedcba9876543210', 'oA', 'k'))).kind).toBe(
      'MISCONFIGURED',
    );
    expect(seen).toHaveLength(0);
    await wechat.close();
  });

  it('fetches the token by POSTing JSON to stable_token and passes it in the query', async () => {
    routes['/wxa/business/getuserphonenumber'] = text(
      JSON.stringify({
        errcode: 0,
        errmsg: 'ok',
        phone_info: {
          phoneNumber: '+85261234567',
          purePhoneNumber: '61234567',
          countryCode: 852,
          watermark: { timestamp: 1657521830, appid: APPID },
        },
      }),
    );
    const wechat = client();
    await expect(wechat.getPhoneNumber(APPID, 'PHONECODE', 'oA')).resolves.toEqual({
      phoneNumber: '+85261234567',
      purePhoneNumber: '61234567',
      countryCode: '852',
    });
    const [token, phone] = seen;
    expect(token.method).toBe('POST');
    expect(token.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(token.body)).toEqual({
      grant_type: 'client_credential',
      appid: APPID,
      secret: SECRET,
      force_refresh: false,
    });
    expect([...token.query.keys()]).toEqual([]);
    expect(phone.query.get('access_token')).toBe('TOKEN-1');
    expect(JSON.parse(phone.body)).toEqual({ code: 'PHONECODE', openid: 'oA' });
    await wechat.close();
  });

  it('reports 40001 from the token endpoint as a wrong secret, without a refresh loop', async () => {
    routes['/cgi-bin/stable_token'] = text(
      '{"errcode":40001,"errmsg":"invalid credential rid: 66c69111-2c5e6f0e-1b6a2f04"}',
    );
    routes['/wxa/msg_sec_check'] = text(
      '{"errcode":0,"errmsg":"ok","result":{"suggest":"pass","label":100}}',
    );
    const wechat = client();
    expect(await failure(wechat.msgSecCheck(APPID, 'oA', 'hi'))).toMatchObject({
      api: 'stable_token',
      kind: 'MISCONFIGURED',
      errcode: 40001,
      rid: '66c69111-2c5e6f0e-1b6a2f04',
    });
    expect(seen.map((s) => s.path)).toEqual(['/cgi-bin/stable_token']);
    await wechat.close();
  });

  it('rejects a phone number whose watermark names another app', async () => {
    routes['/wxa/business/getuserphonenumber'] = text(
      '{"errcode":0,"phone_info":{"phoneNumber":"1","purePhoneNumber":"1","countryCode":"86","watermark":{"appid":"wx4f4bc4dec97d474b","timestamp":1}}}',
    );
    const wechat = client();
    expect(await failure(wechat.getPhoneNumber(APPID, 'PHONECODE', 'oA'))).toMatchObject({
      kind: 'MALFORMED',
      detail: 'watermark appid mismatch',
    });
    await wechat.close();
  });

  it('checkSessionKey signs with HMAC-SHA256 of the session_key text and maps 87009 to false', async () => {
    routes['/wxa/checksession'] = (entry, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const ok =
        entry.query.get('signature') === '7154f9f8b4b76b92f541cbf0e37d48840fa06e5e42da92a6f80168a1516a4735';
      res.end(ok ? '{"errcode":0,"errmsg":"ok"}' : '{"errcode":87009,"errmsg":"invalid signature"}');
    };
    const wechat = client();
    await expect(wechat.checkSessionKey(APPID, 'oA', 'tiihtNczf5v6AKRyjwEUhQ==')).resolves.toBe(true);
    await expect(wechat.checkSessionKey(APPID, 'oA', 'o0q0otL8aEzpcZL/FT9WsQ==')).resolves.toBe(false);
    expect(seen[1].query.get('sig_method')).toBe('hmac_sha256');
    expect(seen[1].query.get('openid')).toBe('oA');
    await wechat.close();
  });

  it('msgSecCheck sends the v2 profile scene and reads the verdict', async () => {
    routes['/wxa/msg_sec_check'] = text(
      '{"errcode":0,"errmsg":"ok","trace_id":"t","result":{"suggest":"risky","label":20001},"detail":[]}',
    );
    const wechat = client();
    await expect(wechat.msgSecCheck(APPID, 'oA', 'nick')).resolves.toEqual({
      suggest: 'risky',
      label: 20001,
    });
    expect(JSON.parse(seen[1].body)).toEqual({ content: 'nick', version: 2, scene: 1, openid: 'oA' });
    await wechat.close();
  });

  it('resetUserSessionKey returns the new key and is not retried on -1', async () => {
    routes['/wxa/resetusersessionkey'] = text(
      '{"errcode":0,"errmsg":"ok","openid":"oA","session_key":"NEW=="}',
    );
    const wechat = client();
    await expect(wechat.resetUserSessionKey(APPID, 'oA', 'OLD==')).resolves.toBe('NEW==');
    routes['/wxa/resetusersessionkey'] = text('{"errcode":-1,"errmsg":"system error"}');
    seen = [];
    expect((await failure(wechat.resetUserSessionKey(APPID, 'oA', 'OLD=='))).kind).toBe('BUSY');
    expect(seen.map((s) => s.path)).toEqual(['/wxa/resetusersessionkey']);
    await wechat.close();
  });

  it('maps HTTP 502, connection refused and a hang', async () => {
    routes['/sns/jscode2session'] = (_entry, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>502 Bad Gateway</body></html>');
    };
    const wechat = client({ timeoutMs: 200 });
    expect(await failure(wechat.code2Session(APPID, 'CODE1'))).toMatchObject({
      kind: 'MALFORMED',
      detail: 'HTTP 502',
    });

    routes['/sns/jscode2session'] = () => undefined; // never answers
    const started = Date.now();
    expect((await failure(wechat.code2Session(APPID, 'CODE1'))).kind).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(600);
    await wechat.close();

    const refused = client({ baseUrl: 'http://127.0.0.1:9' });
    expect((await failure(refused.code2Session(APPID, 'CODE1'))).kind).toBe('UNREACHABLE');
    await refused.close();
  });

  it('reports every attempt to observeCall: errcode 0, the errcode, or the failure kind', async () => {
    const observed: WechatCallObservation[] = [];
    const wechat = client({
      timeoutMs: 200,
      observeCall: (observation) => {
        observed.push(observation);
        throw new Error('an observer bug is ignored');
      },
    });
    routes['/sns/jscode2session'] = text('{"session_key":"k","openid":"oA"}');
    await wechat.code2Session(APPID, 'CODE1');
    routes['/sns/jscode2session'] = text('{"errcode":40029,"errmsg":"invalid code"}');
    await failure(wechat.code2Session(APPID, 'CODE1'));
    routes['/sns/jscode2session'] = () => undefined; // never answers
    await failure(wechat.code2Session(APPID, 'CODE1'));
    await wechat.close();
    expect(observed.map(({ api, errcode, failure }) => ({ api, errcode, failure }))).toEqual([
      { api: 'jscode2session', errcode: 0, failure: undefined },
      { api: 'jscode2session', errcode: 40029, failure: undefined },
      { api: 'jscode2session', errcode: undefined, failure: 'TIMEOUT' },
    ]);
    for (const { durationMs } of observed) expect(durationMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses an observeCall that is not a function', () => {
    expect(() => client({ observeCall: 'yes' as never })).toThrow('observeCall must be a function');
  });
});
