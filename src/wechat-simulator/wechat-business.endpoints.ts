import { WechatError } from './simulator-errors.js';
import {
  bodyString,
  jsonBody,
  ok,
  peekBody,
  requirePost,
  requireToken,
  str,
  tokenAppid,
  type WechatEndpoint,
} from './wechat-endpoint.js';

/**
 * `POST /wxa/business/getuserphonenumber?access_token=` (docs/wechat-api-notes.md §6). The code is single use
 * and 5 minutes long; a code minted under another app than the token's is 40013; an `openid` in the
 * body that is not the code's owner is 40029 (the doc only says WeChat checks it).
 */
export const getuserphonenumber: WechatEndpoint = {
  api: 'getuserphonenumber',
  path: '/wxa/business/getuserphonenumber',
  target(ctx, call) {
    const body = peekBody(call);
    const code = ctx.state.phoneCodes.get(str(body.code) ?? '');
    return { appid: tokenAppid(ctx, call), openid: code?.openid ?? str(body.openid) };
  },
  handle(ctx, call) {
    requirePost(call);
    const body = jsonBody(call);
    const token = requireToken(ctx, call);
    const code = ctx.state.phoneCodes.get(bodyString(body, 'code', 41008));
    if (!code) throw new WechatError(40029);
    if (code.appid !== token.appid) throw new WechatError(40013);
    if (code.used || code.expiresAt <= ctx.clock.now()) throw new WechatError(40029);
    if (body.openid !== undefined && body.openid !== code.openid) {
      throw new WechatError(typeof body.openid === 'string' ? 40029 : 47001);
    }
    code.used = true;
    ctx.state.billablePhoneCalls.set(code.appid, (ctx.state.billablePhoneCalls.get(code.appid) ?? 0) + 1);
    return ok({
      phone_info: {
        // Non-mainland numbers carry their country code in phoneNumber; countryCode is a string.
        phoneNumber: code.countryCode === '86' ? code.phoneNumber : `+${code.countryCode}${code.phoneNumber}`,
        purePhoneNumber: code.phoneNumber,
        countryCode: code.countryCode,
        watermark: { timestamp: ctx.clock.nowSeconds(), appid: code.appid },
      },
    });
  },
};

const TEXT_FIELDS = ['content', 'nickname', 'title', 'signature'];

/**
 * `POST /wxa/msg_sec_check?access_token=` v2 (docs/wechat-api-notes.md §9). errcode is 0 even for risky text;
 * the verdict is `result.suggest`. Configured sensitive words (case-insensitive) make it risky.
 */
export const msgSecCheck: WechatEndpoint = {
  api: 'msg_sec_check',
  path: '/wxa/msg_sec_check',
  target: (ctx, call) => ({ appid: tokenAppid(ctx, call), openid: str(peekBody(call).openid) }),
  handle(ctx, call) {
    // This endpoint's doc lists 43302 rather than the common 43002 for a GET.
    requirePost(call, 43302);
    const body = jsonBody(call);
    const token = requireToken(ctx, call);
    // v1 has been frozen since 2021-09-01; a request without version 2 is malformed for v2.
    if (body.version !== 2) throw new WechatError(40097);
    if (![1, 2, 3, 4].includes(body.scene as number)) throw new WechatError(40129);
    const openid = bodyString(body, 'openid', 40003);
    if (!ctx.state.user(token.appid, openid)) {
      throw new WechatError(ctx.state.belongsToOtherApp(token.appid, openid) ? 43104 : 40003);
    }
    if (typeof body.content !== 'string') throw new WechatError(47001);

    const text = TEXT_FIELDS.map((field) => str(body[field]) ?? '')
      .join('\n')
      .toLowerCase();
    const hit = ctx.state.sensitiveWords.find((word) => text.includes(word.word.toLowerCase()));
    const suggest = hit ? 'risky' : 'pass';
    const label = hit ? hit.label : 100;
    const detail: Record<string, unknown>[] = [
      { strategy: 'content_model', errcode: 0, suggest, label, prob: hit ? 90 : 0 },
    ];
    if (hit) detail.push({ strategy: 'keyword', errcode: 0, suggest, label, level: 20, keyword: hit.word });
    return ok({ result: { suggest, label }, detail, trace_id: ctx.random.rid(ctx.clock.now()) });
  },
};
