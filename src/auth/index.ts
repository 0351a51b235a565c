// The public entry point of the auth module (`weapp-auth`): other code, in this repository and in
// other Nest services, imports only this file. It loads neither TypeORM, Swagger nor the WeChat client.
export { AuthModule } from './auth.module.js';
export type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
export { AuthModuleOptionsError } from './auth-options.validation.js';
export { AUTHENTICATED_ROUTE_KEY, IS_PUBLIC_KEY, WECHAT_CODE_STRATEGY } from './auth.constants.js';
export {
  IDENTITY_KINDS,
  type AuthUser,
  type AuthUsersPort,
  type IdentityKind,
  type LoginEvidence,
  type MergedUser,
  type VerifiedPhone,
  type WechatIdentity,
} from './ports/users.port.js';
export { AccountConflictError, type ConflictingAccount } from '../common/account-conflict.error.js';
export type { AuthEvent, AuthEventKind, AuthEventListener } from './events/auth-event.listener.js';
export type { WechatCodeExchanger, WechatCodeSession } from './ports/code-exchanger.port.js';
export type {
  OAuthAccessToken,
  OAuthAppKind,
  OAuthUserInfo,
  WechatOAuthClient,
} from './oauth/oauth-client.port.js';
export { OAUTH_DEFAULT_AUTHORIZE_BASE_URL, type AuthOAuthOptions } from './oauth/oauth-options.js';
export type { OAuthScope } from './oauth/oauth-state.js';
export { Public } from './decorators/public.decorator.js';
export { FOR_APPS_KEY, ForApps } from './decorators/for-apps.decorator.js';
export {
  CLOUD_HOSTING_LOGIN_SOURCES,
  WECHAT_CLOUD_HOSTING_STRATEGY,
} from './cloud-hosting/cloud-hosting.constants.js';
export {
  callerOf,
  sessionOf,
  CurrentSession,
  CurrentUser,
  type CurrentUserContext,
} from './decorators/current-user.decorator.js';
export { Authenticated, BEARER_SCHEME } from './decorators/authenticated.decorator.js';
export { markTokenLookupFailed, SessionTokenGuard, tokenLookupFailed } from './guards/session-token.guard.js';
export { SessionLookupHook } from './guards/session-lookup.hook.js';
export { RedisBatcher } from '../redis/redis-batcher.js';
export {
  SessionService,
  type AuthenticatedSession,
  type IssuedSession,
  type SessionOrigin,
} from './session/session.service.js';
export {
  SessionStore,
  type SessionRecord,
  type StoredSession,
  type UserSnapshot,
} from './session/session.store.js';
export { RedisSessionStore } from './session/redis-session.store.js';
export { MemorySessionStore } from './session/memory-session.store.js';
export { AuthErrorCode } from './errors/auth.exception.js';
export { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
export { wechatErrorToHttp } from './errors/wechat-error.mapper.js';
export { ApiException, type ErrorResponseBody } from '../common/api.exception.js';
export {
  apiError,
  describeErrors,
  ERROR_CATALOGUE,
  isErrorCode,
  type ErrorCatalogueEntry,
  type ErrorCode,
} from '../common/error-catalogue.js';
export type { LoginRequest } from './dto/login-request.js';
export type { LoginResponse } from './dto/login-response.js';
export { mapSessionSummary, type SessionSummary } from './dto/session-summary.js';
