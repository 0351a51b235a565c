import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
import { AUTH_MODULE_OPTIONS } from './auth.constants.js';
import { authModuleParts } from './auth.providers.js';

/** @internal */
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
    { isGlobal: false, routes: true, globalGuard: true },
    (definition, extras) => {
      const parts = authModuleParts(extras);
      return {
        ...definition,
        global: extras.isGlobal,
        imports: [...(definition.imports ?? []), ...parts.imports],
        controllers: parts.controllers,
        providers: [...(definition.providers ?? []), ...parts.providers],
        exports: [...(definition.exports ?? []), ...parts.exports],
      };
    },
  )
  .build();
