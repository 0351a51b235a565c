/** Passport strategy name of the WeChat Cloud Hosting login. Distinctive: passport's registry is process-wide. @publicApi */
export const WECHAT_CLOUD_HOSTING_STRATEGY = 'wechat-cloud-hosting';

/**
 * The `X-WX-SOURCE` values (first link of the chain) this login accepts: a call from the mini program
 * (`wx_client`) or from WeChat DevTools (`wx_devtools`). WeChat documents the vocabulary for
 * `cloud.getWXContext().SOURCE` (wx_devtools, wx_client, wx_http, wx_trigger, wx_paycallback,
 * wx_crawler, wx_localdebug, wx_unknown, scf; a chain is comma-separated) and tells Cloud Hosting
 * services to check `X-WX-SOURCE` to know a call came from WeChat (docs/wechat-api-notes.md §15). A crawler,
 * a timer or an HTTP API call is no user logging in.
 * @publicApi
 */
export const CLOUD_HOSTING_LOGIN_SOURCES: readonly string[] = ['wx_client', 'wx_devtools'];
