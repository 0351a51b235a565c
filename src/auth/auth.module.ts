import { Inject, Module, Optional, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AuthModuleExtras } from './auth-module-options.interface.js';
import { AUTH_CODE_EXCHANGER_HOLDER } from './auth.constants.js';
import {
  AUTH_ASYNC_OPTIONS_TYPE,
  AUTH_OPTIONS_TYPE,
  AuthConfigurableModuleClass,
} from './auth.module-definition.js';
import { authModuleParts, type CodeExchangerHolder } from './auth.providers.js';

/**
 * WeChat Mini Program login and sessions for a Nest app.
 *
 * `AuthModule.forRoot({ redis, sessionKeySecret, users, wechat: { apps } })` adds `POST /auth/login`,
 * the session routes, and a global guard that requires `Authorization: Bearer <token>` everywhere
 * except `@Public()` routes. Services that only verify tokens issued by another service use
 * `forRoot({ redis, sessionKeySecret, routes: false })` with the same Redis and key prefix. Use
 * `forRootAsync({ imports, inject, useFactory })` to build the options from config.
 * @publicApi
 */
@Module({})
export class AuthModule extends AuthConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Optional() @Inject(AUTH_CODE_EXCHANGER_HOLDER) private readonly wechat?: CodeExchangerHolder) {
    super();
  }

  static override forRoot(options: typeof AUTH_OPTIONS_TYPE): DynamicModule {
    return withParts(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withParts(super.forRootAsync(options), options);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.wechat?.close?.();
  }
}

function withParts(definition: DynamicModule, extras: AuthModuleExtras): DynamicModule {
  const parts = authModuleParts({
    isGlobal: extras.isGlobal ?? false,
    routes: extras.routes ?? true,
    globalGuard: extras.globalGuard ?? true,
    cloudHosting: extras.cloudHosting ?? false,
    oauthRoutes: extras.oauthRoutes ?? false,
  });
  return {
    ...definition,
    controllers: [...(definition.controllers ?? []), ...parts.controllers],
    providers: [...(definition.providers ?? []), ...parts.providers],
    exports: [...(definition.exports ?? []), ...parts.exports],
  };
}
