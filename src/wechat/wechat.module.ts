import { Module } from '@nestjs/common';
import { WECHAT_CLIENT } from './wechat.constants.js';
import { WechatClient } from './wechat.client.js';
import { WECHAT_MODULE_OPTIONS, WechatConfigurableModuleClass } from './wechat.module-definition.js';
import type { WechatModuleOptions } from './wechat-options.interface.js';

/**
 * WeChat server API client. `WechatModule.forRoot({ apps, baseUrl?, redis?, … })` or
 * `forRootAsync({ imports, inject, useFactory })`; add `isGlobal: true` to share it app-wide.
 * Options are validated when the client is built, so bad config fails at startup. Inject `WechatClient`
 * or use `@InjectWechatClient()`. The client closes its HTTP pool on module destroy.
 *
 * @publicApi
 */
@Module({
  providers: [
    {
      provide: WechatClient,
      useFactory: (options: WechatModuleOptions) => new WechatClient(options),
      inject: [WECHAT_MODULE_OPTIONS],
    },
    { provide: WECHAT_CLIENT, useExisting: WechatClient },
  ],
  exports: [WechatClient, WECHAT_CLIENT],
})
export class WechatModule extends WechatConfigurableModuleClass {}
