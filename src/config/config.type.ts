import type { AdminConfig } from './admin.config.js';
import type { AppConfig } from './app.config.js';
import type { AuditConfig } from './audit.config.js';
import type { AuthConfig } from './auth.config.js';
import type { DatabaseConfig } from './database.config.js';
import type { MetricsConfig } from './metrics.config.js';
import type { OAuthConfig } from './oauth.config.js';
import type { ProfileConfig } from './profile.config.js';
import type { RateLimitConfig } from './rate-limit.config.js';
import type { RedisConfig } from './redis.config.js';
import type { ServerConfig } from './server.config.js';
import type { SwaggerConfig } from './swagger.config.js';
import type { WechatConfig } from './wechat.config.js';

/** Shape of every config namespace, for `ConfigService<AllConfig, true>` with `{ infer: true }`. */
export interface AllConfig {
  admin: AdminConfig;
  app: AppConfig;
  audit: AuditConfig;
  auth: AuthConfig;
  database: DatabaseConfig;
  metrics: MetricsConfig;
  oauth: OAuthConfig;
  profile: ProfileConfig;
  rateLimit: RateLimitConfig;
  redis: RedisConfig;
  server: ServerConfig;
  swagger: SwaggerConfig;
  wechat: WechatConfig;
}
