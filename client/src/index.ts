/**
 * weapp-auth's mini-program client: `createAuthClient({ baseUrl })`, then `ensureLogin()` on launch and
 * `request()` for every call. See README.md.
 */
export { AuthClient, createAuthClient, DEFAULT_STORAGE_KEY } from './auth-client.js';
export {
  ACCOUNT_CONFLICT_CODE,
  AccountConflictError,
  AuthClientError,
  ClientErrorCode,
  SESSION_REJECTED_CODES,
} from './errors.js';
export type { AuthClientErrorInit, ConflictingAccount } from './errors.js';
export { LoginQueue } from './login-queue.js';
export { PrivacyConsent } from './privacy.js';
export type {
  AccountExport,
  AuthClientOptions,
  AuthRequestOptions,
  HttpMethod,
  LoginOptions,
  LoginResult,
  PhoneNumberEvent,
  PrivacyConsentHandler,
  PrivacyConsentRequest,
  PrivacyDecision,
  PrivacySetting,
  ProfileUpdate,
  SessionSummary,
  UserProfile,
  WechatUserInfoOptions,
  WxApi,
  WxPrivacyListener,
  WxPrivacyResolution,
} from './types.js';
