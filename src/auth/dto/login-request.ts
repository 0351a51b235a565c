export const LOGIN_CODE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const LOGIN_APPID_PATTERN = /^wx[0-9a-f]{16}$/;

/** The body of `POST /auth/login`, as `parseLoginRequest` accepts it. @publicApi */
export interface LoginRequest {
  /** The code from wx.login(); single use, valid 5 minutes. */
  code: string;
  /** Which configured mini program; defaults to the first. */
  appid?: string;
  /**
   * The phone-number button's code (`bindgetphonenumber` → `e.detail.code`): the login then also
   * verifies the phone number, binds it, and joins the person who already owns it.
   */
  phoneCode?: string;
  /**
   * When the identity, unionid or phone point at two different existing accounts: merge them
   * (true) instead of answering 409 `ACCOUNT_CONFLICT`. Ask the user first.
   */
  merge?: boolean;
}
