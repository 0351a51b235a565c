/** Injection token for the {@link WechatClient}; prefer `@InjectWechatClient()` or injecting the class. @publicApi */
export const WECHAT_CLIENT = Symbol('WECHAT_CLIENT');

/** @publicApi */
export const WECHAT_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';
/** @publicApi */
export const WECHAT_DEFAULT_TIMEOUT_MS = 5000;
/** @publicApi */
export const WECHAT_DEFAULT_REDIS_KEY_PREFIX = 'wxauth:';

/** `wx` + 16 lowercase hex characters (docs/wechat-api-notes.md §1.2). @internal */
export const APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/**
 * A cached access token is treated as stale this many seconds before it expires. stable_token hands out a
 * new token only in the last 300 s of the old one's life, so refreshing earlier would just return the same
 * token (docs/wechat-api-notes.md §5.2).
 *
 * @internal
 */
export const ACCESS_TOKEN_REFRESH_MARGIN_SECONDS = 300;
