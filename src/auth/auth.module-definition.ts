import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
import { AUTH_MODULE_OPTIONS } from './auth.constants.js';

/** The builder only; AuthModule adds its providers by extending forRoot/forRootAsync. @internal */
export const {
  ConfigurableModuleClass: AuthConfigurableModuleClass,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({
  moduleName: 'WechatAuth',
  optionsInjectionToken: AUTH_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<Required<AuthModuleExtras>>(
    { isGlobal: false, routes: true, globalGuard: true, cloudHosting: false, oauthRoutes: false },
    (definition, extras) => ({ ...definition, global: extras.isGlobal }),
  )
  .build();
