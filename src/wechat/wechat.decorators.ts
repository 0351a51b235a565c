import { Inject } from '@nestjs/common';
import { WECHAT_CLIENT } from './wechat.constants.js';

/** Injects the module's {@link WechatClient} (same instance as injecting the class). @publicApi */
export const InjectWechatClient = (): PropertyDecorator & ParameterDecorator => Inject(WECHAT_CLIENT);
