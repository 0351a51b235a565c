import { Inject, Module, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { AUTH_WECHAT_CLIENT } from './auth.constants.js';
import { AuthConfigurableModuleClass } from './auth.module-definition.js';
import type { AuthWechatClientHolder } from './auth.providers.js';

/**
 * WeChat Mini Program login and sessions for a Nest app.
 *
 * `AuthModule.forRoot({ redis, sessionKeySecret, wechat: { apps } })` adds `POST /auth/login`, the
 * session routes, and a global guard that requires `Authorization: Bearer <token>` everywhere except
 * `@Public()` routes. Services that only verify tokens issued by another service use
 * `forRoot({ redis, sessionKeySecret, routes: false })` with the same Redis and key prefix. Use
 * `forRootAsync({ imports, inject, useFactory })` to build the options from config.
 * @publicApi
 */
@Module({})
export class AuthModule extends AuthConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Optional() @Inject(AUTH_WECHAT_CLIENT) private readonly wechat?: AuthWechatClientHolder) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.wechat?.owned) await this.wechat.client.close();
  }
}
