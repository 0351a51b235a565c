import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from './config/app.config.js';
import { databaseConfig } from './config/database.config.js';
import { validateEnv } from './config/env.validation.js';
import { redisConfig } from './config/redis.config.js';
import { wechatConfig } from './config/wechat.config.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { RedisModule } from './redis/redis.module.js';
import { UserModule } from './user/user.module.js';

/**
 * Wiring only. `forRoot()` (rather than a static module) so the environment is read and
 * validated when the app is built, not when this file is first imported.
 */
@Module({})
export class AppModule {
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [appConfig, databaseConfig, redisConfig, wechatConfig],
          validate: (raw) => {
            validateEnv(raw);
            return raw;
          },
        }),
        DatabaseModule,
        RedisModule,
        UserModule,
        HealthModule,
      ],
    };
  }
}
