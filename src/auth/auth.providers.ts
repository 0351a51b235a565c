import type { ModuleMetadata, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UserModule } from '../user/user.module.js';
import { WechatClient } from '../wechat/wechat.client.js';
import { AuthController } from './auth.controller.js';
import { AUTH_MODULE_OPTIONS, AUTH_RESOLVED_OPTIONS, AUTH_WECHAT_CLIENT } from './auth.constants.js';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
import { resolveAuthOptions, type ResolvedAuthOptions } from './auth-options.validation.js';
import { AuthService } from './auth.service.js';
import { SessionTokenGuard } from './guards/session-token.guard.js';
import { WechatCodeAuthGuard } from './guards/wechat-code-auth.guard.js';
import { CodeExchangeService } from './login/code-exchange.service.js';
import { LoginCodeLedger, MemoryLoginCodeLedger, RedisLoginCodeLedger } from './login/login-code.ledger.js';
import { MemorySessionStore } from './session/memory-session.store.js';
import { RedisSessionStore } from './session/redis-session.store.js';
import { SessionKeyCipher } from './session/session-key.cipher.js';
import { SessionService } from './session/session.service.js';
import { SessionStore } from './session/session.store.js';
import { WechatCodeStrategy } from './strategies/wechat-code.strategy.js';

type Parts = Required<Pick<ModuleMetadata, 'imports' | 'controllers' | 'providers' | 'exports'>>;

/** The WeChat client in use and whether the module built it (and so must close it). @internal */
export interface AuthWechatClientHolder {
  client: WechatClient;
  owned: boolean;
}

/**
 * What the auth module contains, decided by its extras: the token-verifying core always; the login
 * route, its WeChat client and the user repository only with `routes: true`; the global guard with
 * `globalGuard: true`.
 */
export function authModuleParts(extras: Required<AuthModuleExtras>): Parts {
  const core: Provider[] = [
    {
      provide: AUTH_RESOLVED_OPTIONS,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options, extras.routes),
    },
    {
      provide: SessionStore,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: ({ source, keyPrefix }: ResolvedAuthOptions) =>
        source.sessionStore ??
        (source.redis ? new RedisSessionStore(source.redis, keyPrefix) : new MemorySessionStore()),
    },
    SessionService,
    SessionTokenGuard,
  ];
  if (extras.globalGuard) core.push({ provide: APP_GUARD, useExisting: SessionTokenGuard });
  const exports = [SessionService, SessionStore, SessionTokenGuard];
  if (!extras.routes) return { imports: [], controllers: [], providers: core, exports };

  const login: Provider[] = [
    {
      provide: AUTH_WECHAT_CLIENT,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: ({ source, keyPrefix }: ResolvedAuthOptions): AuthWechatClientHolder =>
        source.wechatClient
          ? { client: source.wechatClient, owned: false }
          : {
              client: new WechatClient({ redis: source.redis, redisKeyPrefix: keyPrefix, ...source.wechat! }),
              owned: true,
            },
    },
    {
      provide: LoginCodeLedger,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: ({ source, keyPrefix }: ResolvedAuthOptions) =>
        source.redis ? new RedisLoginCodeLedger(source.redis, keyPrefix) : new MemoryLoginCodeLedger(),
    },
    {
      provide: CodeExchangeService,
      inject: [AUTH_WECHAT_CLIENT, LoginCodeLedger, AUTH_RESOLVED_OPTIONS],
      useFactory: (
        { client }: AuthWechatClientHolder,
        ledger: LoginCodeLedger,
        options: ResolvedAuthOptions,
      ) =>
        new CodeExchangeService(
          client,
          ledger,
          new SessionKeyCipher(options.sessionKeySecret),
          options.loginReplayWindowSeconds * 1000,
          // WeChat's own timeout plus a margin: a peer that has not reported by then is gone.
          (options.source.wechat?.timeoutMs ?? 5000) + 2000,
        ),
    },
    AuthService,
    WechatCodeStrategy,
    WechatCodeAuthGuard,
  ];
  return { imports: [UserModule], controllers: [AuthController], providers: [...core, ...login], exports };
}
