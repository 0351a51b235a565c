import { Controller, Get } from '@nestjs/common';
import { CurrentUser, Public, type CurrentUserContext } from 'weapp-auth';

/** The consumer's own routes: guarded by weapp-auth's global guard unless `@Public()`. */
@Controller()
export class OrdersController {
  @Get('orders/mine')
  mine(@CurrentUser() caller: CurrentUserContext): CurrentUserContext {
    return caller;
  }

  @Public()
  @Get('catalogue')
  catalogue(): { items: string[] } {
    return { items: ['green tea', 'noodles'] };
  }
}
