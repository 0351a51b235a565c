/**
 * WeChat's userInfo object (`wx.getUserInfo`, `wx.getUserProfile`) and its anonymous placeholders.
 *
 * Since 2021-04 `wx.getUserInfo`, and since 2022-11-08 `wx.getUserProfile`, answer new releases with an
 * anonymous profile instead of the user's: nickName "微信用户", the grey default avatar below, gender 0
 * and empty `province`/`city`/`country`/`language` (and, client-side only, `is_demote: true`); see
 * docs/wechat-api-notes.md §8.
 * Clients that still forward that object must not overwrite what the user chose through the nickname
 * input and chooseAvatar, so `PATCH /users/me` skips these values (docs/api.md, PATCH /users/me).
 */

/** The nickname of WeChat's anonymous profile (compared after trimming). */
export const WECHAT_ANONYMOUS_NICKNAME = '微信用户';

/**
 * The grey default avatar(s) WeChat hands out with the anonymous profile, as observed in real payloads
 * (one URL so far, the same for every user and app). Compared after {@link normalizeWechatAvatarUrl}
 * (https, and the `/<size>` suffix clients may rewrite set back to `/132`), so `http://…/0` matches too.
 * Add a URL here if WeChat starts sending another one.
 */
export const WECHAT_ANONYMOUS_AVATAR_URLS: readonly string[] = [
  'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
];

/** WeChat's avatar hosts (wx.qlogo.cn, thirdwx.qlogo.cn); they serve https as well as http. */
const QLOGO_HOST = /(^|\.)qlogo\.cn$/i;
/** The last path segment of a WeChat avatar URL picks the size: 0 (= 132), 46, 64, 96 or 132 pixels. */
const AVATAR_SIZE_SUFFIX = /\/(0|46|64|96|132)$/;

/** Older userInfo payloads link avatars over http on *.qlogo.cn: the same URL with https, else as given. */
export function httpsWechatAvatarUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.protocol !== 'http:' || !QLOGO_HOST.test(url.hostname)) return value;
  url.protocol = 'https:';
  return url.href;
}

/** `value` as WeChat's avatar URLs compare: https on qlogo.cn, size suffix `/132`. */
export function normalizeWechatAvatarUrl(value: string): string {
  const https = httpsWechatAvatarUrl(value.trim());
  let url: URL;
  try {
    url = new URL(https);
  } catch {
    return https;
  }
  if (!QLOGO_HOST.test(url.hostname)) return https;
  url.pathname = url.pathname.replace(AVATAR_SIZE_SUFFIX, '/132');
  return url.href;
}

const ANONYMOUS_AVATARS = new Set(WECHAT_ANONYMOUS_AVATAR_URLS.map(normalizeWechatAvatarUrl));

/** True for WeChat's grey default avatar in any of its spellings. */
export function isWechatAnonymousAvatar(value: string): boolean {
  return ANONYMOUS_AVATARS.has(normalizeWechatAvatarUrl(value));
}

/** True for the anonymous nickname or an empty one (both after trimming). */
export function isWechatPlaceholderNickname(value: string): boolean {
  const trimmed = value.trim();
  return trimmed === '' || trimmed === WECHAT_ANONYMOUS_NICKNAME;
}
