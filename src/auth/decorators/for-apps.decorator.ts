import { SetMetadata } from '@nestjs/common';

/** Metadata key set by `@ForApps()`: the appids whose sessions a route accepts. @publicApi */
export const FOR_APPS_KEY = 'weapp-auth:forApps';

/**
 * Binds a controller or route to the sessions of some apps: a session issued in another app (its
 * `appid`, the mini program, Official Account or website the login was made in) gets 403
 * `SESSION_WRONG_APP` from the session guard. A method's `@ForApps()` replaces its class's, and both
 * replace the module's `sessionApps`. No effect on `@Public()` routes, which read no session.
 *
 * @example
 * ```ts
 * @ForApps('wx0123456789abcdef')
 * @Get('orders')
 * list(@CurrentUser() caller: CurrentUserContext) {}
 * ```
 * @publicApi
 */
export const ForApps = (appid: string, ...more: string[]) =>
  SetMetadata(FOR_APPS_KEY, Object.freeze([appid, ...more]));
