import type { SimulatorRandom } from './simulator-random.js';

/**
 * errmsg texts as WeChat sends them, before the ` rid: …` suffix (docs/wechat-api-notes.md §1.1, §9).
 *
 * @publicApi
 */
export const WECHAT_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001:
    'invalid credential, access_token is invalid or not latest, could get access_token by getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40030: 'invalid refresh_token',
  40066: 'invalid url',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40129: 'invalid scene',
  40163: 'code been used',
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41003: 'refresh_token missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  42001: 'access_token expired',
  42002: 'refresh_token expired',
  43002: 'require POST method',
  43104: 'appid and openid not match',
  43302: 'require POST method',
  44002: 'empty post data',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit, must slower, retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  87008: 'invalid sig_method',
  87009: 'invalid signature',
};

/** A WeChat business error: answered as HTTP 200 with `{errcode, errmsg}`. @internal */
export class WechatError extends Error {
  override readonly name = 'WechatError';

  constructor(
    readonly errcode: number,
    readonly text: string = WECHAT_ERRMSG[errcode] ?? 'simulated error',
  ) {
    super(`${errcode} ${text}`);
  }
}

/** The body WeChat sends for an error: int errcode, errmsg `"<text> rid: <hex ts>-<8hex>-<8hex>"`. @internal */
export function errorBody(
  errcode: number,
  nowMs: number,
  random: SimulatorRandom,
  text: string = WECHAT_ERRMSG[errcode] ?? 'simulated error',
): { errcode: number; errmsg: string } {
  return { errcode, errmsg: `${text} rid: ${random.rid(nowMs)}` };
}
