// The public entry point of the auth module: other code (and other Nest services) import only this file.
export { AuthModule } from './auth.module.js';
export type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
export { AuthModuleOptionsError } from './auth-options.validation.js';
export { IS_PUBLIC_KEY, WECHAT_CODE_STRATEGY } from './auth.constants.js';
export { Public } from './decorators/public.decorator.js';
export {
  callerOf,
  CurrentSession,
  CurrentUser,
  type CurrentUserContext,
} from './decorators/current-user.decorator.js';
export { Authenticated, BEARER_SCHEME } from './decorators/authenticated.decorator.js';
export { SessionTokenGuard } from './guards/session-token.guard.js';
export { SessionService, type AuthenticatedSession, type IssuedSession } from './session/session.service.js';
export { SessionStore, type SessionRecord, type StoredSession } from './session/session.store.js';
export { RedisSessionStore } from './session/redis-session.store.js';
export { MemorySessionStore } from './session/memory-session.store.js';
export { AuthErrorCode } from './errors/auth.exception.js';
export { SessionStoreUnavailableError } from './errors/session-store-unavailable.error.js';
export { wechatErrorToHttp } from './errors/wechat-error.mapper.js';
export { ApiException, type ErrorResponseBody } from '../common/api.exception.js';
export { LoginRequestDto } from './dto/login-request.dto.js';
export { LoginResponseDto } from './dto/login-response.dto.js';
export { SessionSummaryDto } from './dto/session-summary.dto.js';
export { ErrorResponseDto } from './dto/error-response.dto.js';
