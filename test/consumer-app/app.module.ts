import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
// Another Nest service: it reaches weapp-auth only through the package's public entry point.
import { AuthModule, CurrentUser, Public, type CurrentUserContext } from '../../src/auth/index.js';

@Controller('orders')
class OrdersController {
  @Get('mine')
  mine(@CurrentUser() caller: CurrentUserContext) {
    return { userId: caller.userId, appid: caller.appid };
  }

  @Public()
  @Get('catalogue')
  catalogue() {
    return { items: [] };
  }
}

/** A token-only consumer: same Redis and key prefix as the main app, no database, no WeChat credentials. */
@Module({})
export class ConsumerAppModule {
  static register(redis: Redis, keyPrefix: string, sessionKeySecret: string): DynamicModule {
    return {
      module: ConsumerAppModule,
      imports: [
        AuthModule.forRootAsync({
          routes: false,
          useFactory: () => ({ redis, keyPrefix, sessionKeySecret }),
        }),
      ],
      controllers: [OrdersController],
    };
  }
}
