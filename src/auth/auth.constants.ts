/** Passport strategy name of the code-exchange login. Distinctive: passport's registry is process-wide. @publicApi */
export const WECHAT_CODE_STRATEGY = 'wechat-code';

/** Metadata key set by `@Public()`. @publicApi */
export const IS_PUBLIC_KEY = 'weapp-auth:isPublic';

/** The options exactly as given to forRoot / forRootAsync. @internal */
export const AUTH_MODULE_OPTIONS = Symbol('AUTH_MODULE_OPTIONS');

/** Validated module options. @internal */
export const AUTH_RESOLVED_OPTIONS = Symbol('AUTH_RESOLVED_OPTIONS');

/** Holder of the WeChat client the login route uses (absent in token-only deployments). @internal */
export const AUTH_WECHAT_CLIENT = Symbol('AUTH_WECHAT_CLIENT');

/** Request property holding the authenticated session. @internal */
export const AUTH_SESSION_PROPERTY = 'weappAuthSession';
