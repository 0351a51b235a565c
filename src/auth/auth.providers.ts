import type { ModuleMetadata, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RedisBatcher } from '../redis/redis-batcher.js';
import { AuthController } from './auth.controller.js';
import {
  AUTH_CODE_EXCHANGER,
  AUTH_CODE_EXCHANGER_HOLDER,
  AUTH_MODULE_OPTIONS,
  AUTH_REDIS_BATCHER,
  AUTH_RESOLVED_OPTIONS,
  AUTH_USERS,
} from './auth.constants.js';
import type { AuthModuleExtras, AuthModuleOptions } from './auth-module-options.interface.js';
import {
  AuthModuleOptionsError,
  resolveAuthOptions,
  type ResolvedAuthOptions,
} from './auth-options.validation.js';
import { AuthService } from './auth.service.js';
import { AuthEvents } from './events/auth-event.listener.js';
import { SessionTokenGuard } from './guards/session-token.guard.js';
import { WechatCodeAuthGuard } from './guards/wechat-code-auth.guard.js';
import { CodeExchangeService } from './login/code-exchange.service.js';
import { LoginCodeLedger, MemoryLoginCodeLedger, RedisLoginCodeLedger } from './login/login-code.ledger.js';
import type { WechatCodeExchanger } from './ports/code-exchanger.port.js';
import { MemorySessionStore } from './session/memory-session.store.js';
import { RedisSessionStore } from './session/redis-session.store.js';
import { SessionKeyCipher } from './session/session-key.cipher.js';
import { SessionService } from './session/session.service.js';
import { SessionStore } from './session/session.store.js';
import { WechatCodeStrategy } from './strategies/wechat-code.strategy.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { CloudHostingAuthGuard } from './cloud-hosting/cloud-hosting-auth.guard.js';
import { CloudHostingController } from './cloud-hosting/cloud-hosting.controller.js';
import { CloudHostingStrategy } from './cloud-hosting/cloud-hosting.strategy.js';

type Parts = Required<Pick<ModuleMetadata, 'controllers' | 'providers' | 'exports'>>;

/** The code exchanger in use, and how to close it when the module built it itself. @internal */
export interface CodeExchangerHolder {
  exchanger: WechatCodeExchanger;
  close?: () => Promise<void>;
}

/**
 * What the auth module contains, decided by its extras: the token-verifying core always; the login
 * route, the users port and the WeChat client only with `routes: true`; the global guard with
 * `globalGuard: true`; the Cloud Hosting login with `cloudHosting: true` (and `routes`); the web
 * login with `oauthRoutes: true`.
 */
export function authModuleParts(extras: Required<AuthModuleExtras>): Parts {
  const core: Provider[] = [
    {
      provide: AUTH_RESOLVED_OPTIONS,
      inject: [AUTH_MODULE_OPTIONS],
      useFactory: (options: AuthModuleOptions) =>
        resolveAuthOptions(options, extras.routes, extras.oauthRoutes),
    },
    {
      // One per module: the session store and the login ledger share their batches.
      provide: AUTH_REDIS_BATCHER,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: ({ source }: ResolvedAuthOptions) => (source.redis ? new RedisBatcher(source.redis) : null),
    },
    // Exported, so host-app components can put their hot commands in the session read's round trip.
    { provide: RedisBatcher, useExisting: AUTH_REDIS_BATCHER },
    {
      provide: SessionStore,
      inject: [AUTH_RESOLVED_OPTIONS, AUTH_REDIS_BATCHER],
      useFactory: ({ source, keyPrefix }: ResolvedAuthOptions, batcher: RedisBatcher | null) =>
        source.sessionStore ??
        (source.redis && batcher
          ? new RedisSessionStore(source.redis, keyPrefix, batcher)
          : new MemorySessionStore()),
    },
    SessionService,
    SessionTokenGuard,
  ];
  if (extras.globalGuard) core.push({ provide: APP_GUARD, useExisting: SessionTokenGuard });
  const exports = [SessionService, SessionStore, SessionTokenGuard, RedisBatcher];
  if (extras.cloudHosting && !extras.routes) {
    throw new AuthModuleOptionsError(['`cloudHosting` adds a login route: it needs `routes: true`']);
  }
  if (!extras.routes) return { controllers: [], providers: core, exports };

  const login: Provider[] = [
    {
      provide: AUTH_CODE_EXCHANGER_HOLDER,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: async ({ source, keyPrefix }: ResolvedAuthOptions): Promise<CodeExchangerHolder> => {
        if (source.wechatClient) return { exchanger: source.wechatClient };
        // Loaded only here: a module given its own client (or declared without routes) never loads
        // the WeChat client and its HTTP stack.
        const { WechatClient } = await import('../wechat/wechat.client.js');
        const client = new WechatClient({
          redis: source.redis,
          redisKeyPrefix: keyPrefix,
          ...source.wechat!,
        });
        return { exchanger: client, close: () => client.close() };
      },
    },
    {
      provide: AUTH_CODE_EXCHANGER,
      inject: [AUTH_CODE_EXCHANGER_HOLDER],
      useFactory: (holder: CodeExchangerHolder) => holder.exchanger,
    },
    {
      provide: AUTH_USERS,
      inject: [AUTH_RESOLVED_OPTIONS],
      useFactory: ({ source }: ResolvedAuthOptions) => source.users,
    },
    {
      provide: LoginCodeLedger,
      inject: [AUTH_RESOLVED_OPTIONS, AUTH_REDIS_BATCHER],
      useFactory: ({ source, keyPrefix }: ResolvedAuthOptions, batcher: RedisBatcher | null) =>
        source.redis && batcher
          ? new RedisLoginCodeLedger(source.redis, keyPrefix, batcher)
          : new MemoryLoginCodeLedger(),
    },
    {
      provide: CodeExchangeService,
      inject: [AUTH_CODE_EXCHANGER, LoginCodeLedger, AUTH_RESOLVED_OPTIONS],
      useFactory: (exchanger: WechatCodeExchanger, ledger: LoginCodeLedger, options: ResolvedAuthOptions) =>
        new CodeExchangeService(
          exchanger,
          ledger,
          new SessionKeyCipher(options.sessionKeySecret),
          options.loginReplayWindowSeconds * 1000,
        ),
    },
    AuthEvents,
    AuthService,
    WechatCodeStrategy,
    WechatCodeAuthGuard,
  ];
  const controllers: ModuleMetadata['controllers'] & object = [AuthController];
  const providers: Provider[] = [...core, ...login];
  if (extras.cloudHosting) {
    // Only when asked for: without it the route does not exist and nothing reads the X-WX-* headers.
    controllers.push(CloudHostingController);
    providers.push(CloudHostingStrategy, CloudHostingAuthGuard);
  }
  // The web login: its routes exist only when declared (validation then requires `oauth`).
  if (extras.oauthRoutes) {
    controllers.push(OAuthController);
    providers.push(OAuthService);
  }
  return { controllers, providers, exports };
}
