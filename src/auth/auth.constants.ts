/** Passport strategy name of the code-exchange login. Distinctive: passport's registry is process-wide. @publicApi */
export const WECHAT_CODE_STRATEGY = 'wechat-code';

/** Metadata key set by `@Public()`. @publicApi */
export const IS_PUBLIC_KEY = 'weapp-auth:isPublic';

/** Metadata key set by `@Authenticated()`, read by `documentAuthApi()`. @publicApi */
export const AUTHENTICATED_ROUTE_KEY = 'weapp-auth:authenticated';

/** The options exactly as given to forRoot / forRootAsync. @internal */
export const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');

/** Validated module options. @internal */
export const AUTH_RESOLVED_OPTIONS = Symbol('AUTH_RESOLVED_OPTIONS');

/** The WeChat code exchanger the login uses, and whether the module owns it (absent without routes). @internal */
export const AUTH_CODE_EXCHANGER_HOLDER = Symbol('AUTH_CODE_EXCHANGER_HOLDER');

/** The WeChat code exchanger the login uses. @internal */
export const AUTH_CODE_EXCHANGER = Symbol('AUTH_CODE_EXCHANGER');

/** The host app's users port (absent without routes). @internal */
export const AUTH_USERS = Symbol('AUTH_USERS');

/** The per-event-loop-turn batcher shared by the Redis session store and the login ledger. @internal */
export const AUTH_REDIS_BATCHER = Symbol('AUTH_REDIS_BATCHER');

/** Request property holding the authenticated session. @internal */
export const AUTH_SESSION_PROPERTY = 'weappAuthSession';

/** Request property set when the request's bearer token did not authenticate. @internal */
export const AUTH_FAILED_LOOKUP_PROPERTY = 'weappAuthFailedLookup';
