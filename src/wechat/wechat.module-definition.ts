import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { WechatModuleOptions } from './wechat-options.interface.js';

/** @internal */
export const {
  ConfigurableModuleClass: WechatConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: WECHAT_MODULE_OPTIONS,
  OPTIONS_TYPE: WECHAT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WECHAT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WechatModuleOptions>({ moduleName: 'Wechat' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
