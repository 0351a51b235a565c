import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AuthModule } from 'weapp-auth';
import { OrdersController } from './orders.controller.js';
import type { ConsumerSettings } from './settings.js';

/**
 * A service that only verifies tokens another service issued: `routes: false`, the same Redis and
 * key prefix, no database and no WeChat credentials. This file imports nothing of TypeORM or of
 * `weapp-auth/users` / `weapp-auth/wechat`, so the test can check the package loads none either.
 */
@Module({})
export class TokenOnlyModule {
  static register(settings: ConsumerSettings, redis: Redis): DynamicModule {
    return {
      module: TokenOnlyModule,
      imports: [
        AuthModule.forRootAsync({
          routes: false,
          useFactory: () => ({
            redis,
            keyPrefix: settings.redisKeyPrefix,
            sessionKeySecret: settings.sessionKeySecret,
          }),
        }),
      ],
      controllers: [OrdersController],
    };
  }
}
