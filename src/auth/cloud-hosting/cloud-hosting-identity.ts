import { apiError } from '../../common/error-catalogue.js';
import type { WechatIdentity } from '../ports/users.port.js';
import { CLOUD_HOSTING_LOGIN_SOURCES } from './cloud-hosting.constants.js';

type Headers = Record<string, string | string[] | undefined>;

// Node lower-cases header names. Shapes as in docs/wechat-api-notes.md §1.2 and §15, with room to spare.
const APPID = /^wx[0-9a-f]{16}$/;
const OPENID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The caller's WeChat identity as Cloud Hosting injects it into a `wx.cloud.callContainer` request
 * (docs/wechat-api-notes.md §15):
 * `X-WX-APPID`/`X-WX-OPENID`/`X-WX-UNIONID`, or, when the call uses another account's environment
 * (resource sharing: `X-WX-OPENID` is then absent), the calling app's `X-WX-FROM-APPID`/
 * `X-WX-FROM-OPENID`/`X-WX-FROM-UNIONID`. `X-WX-SOURCE` must name a mini program call
 * ({@link CLOUD_HOSTING_LOGIN_SOURCES}). Throws 401 `CLOUD_HOSTING_IDENTITY_MISSING` otherwise.
 *
 * Only sound when the platform is the sole way in: it overwrites these headers on callContainer
 * calls, but a directly reachable port would let anyone send them.
 * @internal
 */
export function readCloudHostingIdentity(headers: Headers): WechatIdentity {
  const source = single(headers['x-wx-source']);
  if (source === undefined) throw identityMissing('no X-WX-SOURCE: the call did not come through WeChat');
  // A chain such as `wx_client,scf` names its first caller first.
  const origin = source.split(',', 1)[0]!.trim();
  if (!CLOUD_HOSTING_LOGIN_SOURCES.includes(origin)) {
    throw identityMissing('X-WX-SOURCE is not a mini program call (wx_client or wx_devtools)');
  }
  const shared = single(headers['x-wx-from-openid']) !== undefined;
  const prefix = shared ? 'x-wx-from-' : 'x-wx-';
  const appid = single(headers[`${prefix}appid`]);
  const openid = single(headers[`${prefix}openid`]);
  const unionid = single(headers[`${prefix}unionid`]);
  if (appid === undefined || openid === undefined) {
    throw identityMissing('no X-WX-APPID and X-WX-OPENID: call this route through wx.cloud.callContainer');
  }
  if (!APPID.test(appid) || !OPENID.test(openid) || (unionid !== undefined && !OPENID.test(unionid))) {
    throw identityMissing('the X-WX-* identity headers are malformed');
  }
  const identity: WechatIdentity = { appid, openid, kind: 'mini_program' };
  if (unionid !== undefined) identity.unionid = unionid;
  return identity;
}

/** One non-empty value; a repeated header is not what the platform sends, so it counts as absent. */
function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const identityMissing = (message: string) => apiError('CLOUD_HOSTING_IDENTITY_MISSING', message);
