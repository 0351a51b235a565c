import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { AuthModule } from 'weapp-auth';
import { UserModule, UsersService, userEntity, userMigrations } from 'weapp-auth/users';
import { WechatClient, WechatModule } from 'weapp-auth/wechat';
import { ConsumerUser } from './consumer-user.entity.js';
import { OrdersController } from './orders.controller.js';
import { WECHAT_USERS_TABLE, type ConsumerSettings } from './settings.js';

export interface FullAppWiring {
  settings: ConsumerSettings;
  redis: Redis;
  /** The WeChat API to call: the in-process simulator's URL. */
  wechatBaseUrl: string;
  wechatApp: { appid: string; secret: string };
}

/**
 * Another team's Nest service: its own DataSource with its own `users` entity and the usual
 * development `synchronize: true`; weapp-auth's users live in `wechat_users`, created by the
 * package's migrations. Login, sessions and the global guard come from weapp-auth.
 */
@Module({})
export class AppModule {
  static register({ settings, redis, wechatBaseUrl, wechatApp }: FullAppWiring): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'mysql',
          url: settings.databaseUrl,
          charset: 'utf8mb4_unicode_ci',
          entities: [ConsumerUser, userEntity(WECHAT_USERS_TABLE)],
          migrations: userMigrations(WECHAT_USERS_TABLE),
          migrationsRun: true,
          synchronize: true,
          logging: ['error'],
        }),
        AuthModule.forRootAsync({
          imports: [
            UserModule.forRoot({ tableName: WECHAT_USERS_TABLE }),
            WechatModule.forRoot({ apps: [wechatApp], baseUrl: wechatBaseUrl }),
          ],
          inject: [UsersService, WechatClient],
          useFactory: (users: UsersService, wechatClient: WechatClient) => ({
            redis,
            keyPrefix: settings.redisKeyPrefix,
            sessionKeySecret: settings.sessionKeySecret,
            users,
            wechatClient,
          }),
        }),
      ],
      controllers: [OrdersController],
    };
  }
}
