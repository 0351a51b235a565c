import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/index.js';
import { adminConfig } from './config/admin.config.js';
import { appConfig } from './config/app.config.js';
import { auditConfig } from './config/audit.config.js';
import { authConfig, type AuthConfig } from './config/auth.config.js';
import { databaseConfig } from './config/database.config.js';
import { metricsConfig } from './config/metrics.config.js';
import { oauthConfig, type OAuthConfig } from './config/oauth.config.js';
import { validateEnv } from './config/env.validation.js';
import { profileConfig } from './config/profile.config.js';
import { rateLimitConfig } from './config/rate-limit.config.js';
import { redisConfig, type RedisConfig } from './config/redis.config.js';
import { serverConfig } from './config/server.config.js';
import { swaggerConfig } from './config/swagger.config.js';
import { wechatConfig, type WechatConfig } from './config/wechat.config.js';
import { AdminModule } from './admin/admin.module.js';
import { AuditAuthListener } from './audit/audit-auth.listener.js';
import { AuditRecorder } from './audit/audit-event.js';
import { AuditModule } from './audit/audit.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { AppMetrics } from './metrics/app-metrics.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ProfileModule } from './profile/profile.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import type { RedisConnection } from './redis/redis-connection.js';
import { REDIS_CLIENT } from './redis/redis.constants.js';
import { RedisModule } from './redis/redis.module.js';
import { UserModule } from './user/user.module.js';
import { UsersService } from './user/user.service.js';
import { WechatClient } from './wechat/wechat.client.js';
import { WechatModule } from './wechat/wechat.module.js';

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
        LifecycleModule,
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [
            adminConfig,
            appConfig,
            auditConfig,
            authConfig,
            databaseConfig,
            metricsConfig,
            oauthConfig,
            profileConfig,
            rateLimitConfig,
            redisConfig,
            serverConfig,
            swaggerConfig,
            wechatConfig,
          ],
          validate: (raw) => {
            validateEnv(raw);
            return raw;
          },
        }),
        DatabaseModule,
        // Global: AuditRecorder reaches the auth module's factory below and the feature modules.
        AuditModule,
        RedisModule,
        // Global (when enabled): AppMetrics reaches the WeChat client's factory below.
        MetricsModule.forRoot(metricsConfig()),
        WechatModule.forRootAsync({
          isGlobal: true,
          inject: [
            wechatConfig.KEY,
            oauthConfig.KEY,
            redisConfig.KEY,
            REDIS_CLIENT,
            { token: AppMetrics, optional: true },
          ],
          useFactory: (
            wechat: WechatConfig,
            oauth: OAuthConfig,
            redis: RedisConfig,
            client: RedisConnection | null,
            metrics: AppMetrics | null | undefined,
          ) => ({
            // The web login's Official Account and website apps are the same client's (their `kind`).
            apps: [...wechat.apps, ...oauth.apps],
            baseUrl: wechat.baseUrl,
            timeoutMs: wechat.timeoutMs,
            redis: client ?? undefined,
            redisKeyPrefix: redis.keyPrefix,
            observeCall: metrics?.observeWechatCall,
          }),
        }),
        // Global so feature modules (ProfileModule) can inject UsersService.
        UserModule.forRoot({ isGlobal: true }),
        AuthModule.forRootAsync({
          // Global so feature modules (ProfileModule) can inject SessionService.
          isGlobal: true,
          // Decided when the app is built: off, the route does not exist (WECHAT_CLOUD_HOSTING).
          cloudHosting: wechatConfig().cloudHosting,
          // Likewise the web login (/auth/oauth/*): only with an Official Account or website app.
          oauthRoutes: oauthConfig().enabled,
          inject: [
            authConfig.KEY,
            redisConfig.KEY,
            REDIS_CLIENT,
            WechatClient,
            UsersService,
            AuditRecorder,
            oauthConfig.KEY,
          ],
          useFactory: (
            auth: AuthConfig,
            redis: RedisConfig,
            client: RedisConnection | null,
            wechatClient: WechatClient,
            users: UsersService,
            audit: AuditRecorder,
            oauth: OAuthConfig,
          ) => ({
            redis: client ?? undefined,
            inMemoryStore: client === null,
            keyPrefix: redis.keyPrefix,
            sessionKeySecret: auth.sessionKeySecret,
            idleTtlSeconds: auth.idleTtlSeconds,
            touchIntervalSeconds: auth.touchIntervalSeconds,
            absoluteTtlSeconds: auth.absoluteTtlSeconds,
            maxSessionsPerUser: auth.maxSessionsPerUser,
            wechatClient,
            users,
            events: new AuditAuthListener(audit),
            oauth: oauth.enabled
              ? {
                  redirectAllowlist: oauth.redirectAllowlist,
                  authorizeBaseUrl: oauth.authorizeBaseUrl,
                  publicBaseUrl: oauth.publicBaseUrl,
                }
              : undefined,
          }),
        }),
        // After AuthModule: its global guard runs first, so the per-session budget can key by session.
        RateLimitModule.forRoot(rateLimitConfig().enabled),
        ProfileModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
