/** What kind of WeChat app an appid is, as the web login sees it. @publicApi */
export type OAuthAppKind = 'mini_program' | 'official_account' | 'website';

/** `sns/oauth2/access_token`'s answer, as the web login needs it. @publicApi */
export interface OAuthAccessToken {
  openid: string;
  unionid?: string;
  /** The scope the user granted (`snsapi_base`, `snsapi_userinfo`, `snsapi_login`). */
  scope: string;
  /** The user's token for `sns/userinfo`; only ever passed back to {@link WechatOAuthClient.oauthUserInfo}. */
  readonly accessToken: string;
  /** `is_snapshotuser: 1`: a snapshot page's virtual user (docs/wechat-api-notes.md §14.1). */
  snapshotUser: boolean;
}

/** `sns/userinfo`'s answer, as far as the web login reads it. @publicApi */
export interface OAuthUserInfo {
  openid: string;
  unionid?: string;
}

/**
 * What the web login (Official Account pages, website QR login) needs from a WeChat API client.
 * `WechatClient` (`weapp-auth/wechat`) implements it next to {@link WechatCodeExchanger}; a client
 * passed as `AuthModuleOptions.wechatClient` must too when `oauth` is configured. Failures are
 * `WechatApiError`s, as for the mini-program login.
 * @publicApi
 */
export interface WechatOAuthClient {
  /** The kind of a configured app, or undefined for an appid the client does not know. */
  appKind(appid: string): OAuthAppKind | undefined;
  /** Exchanges an authorize code, once: never retried (the code is single use). */
  oauthAccessToken(appid: string, code: string): Promise<OAuthAccessToken>;
  /** The profile behind a `snsapi_userinfo` / `snsapi_login` user token (where the unionid is). */
  oauthUserInfo(accessToken: string, openid: string): Promise<OAuthUserInfo>;
}

/** Whether `client` implements {@link WechatOAuthClient}. @internal */
export function isWechatOAuthClient(client: unknown): client is WechatOAuthClient {
  const candidate = client as Partial<Record<keyof WechatOAuthClient, unknown>> | null | undefined;
  return (
    typeof candidate?.appKind === 'function' &&
    typeof candidate.oauthAccessToken === 'function' &&
    typeof candidate.oauthUserInfo === 'function'
  );
}
