import type { INestApplication, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  ApiBearerAuth,
  ApiBody,
  ApiOperation,
  ApiProperty,
  ApiResponse,
  ApiTags,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { describeErrors, type ErrorCode } from '../../common/error-catalogue.js';
import { AUTHENTICATED_ROUTE_KEY } from '../auth.constants.js';
import { AuthController } from '../auth.controller.js';
import { BEARER_SCHEME } from '../decorators/authenticated.decorator.js';
import { ErrorResponseDto, LoginRequestDto, LoginResponseDto, SessionSummaryDto } from './auth-dtos.js';
import { documentOAuthApi } from './document-oauth-api.js';

/** @publicApi */
export interface DocumentAuthApiOptions {
  /** Schema class of the users port's snapshot, shown as the login response's `user`. Default: any object. */
  userSnapshot?: Type<unknown>;
}

type Method = keyof AuthController;

interface RouteDoc {
  summary: string;
  body?: Type<unknown>;
  /** Success answers. */
  responses: ApiResponseOptions[];
  /** Error answers: described from the error catalogue, one entry per status. */
  errors: ErrorCode[];
}

/** The OpenAPI description of each auth route (the controller carries none: see auth.controller.ts). */
const AUTH_ROUTES: Record<Method, RouteDoc> = {
  login: {
    summary: 'Exchange a wx.login() code for a session token',
    body: LoginRequestDto,
    responses: [{ status: 200, type: LoginResponseDto }],
    errors: [
      'VALIDATION_FAILED',
      'UNKNOWN_APPID',
      'PHONE_CODE_INVALID',
      'USER_BANNED',
      'ACCOUNT_CONFLICT',
      'LOGIN_CODE_INVALID',
      'LOGIN_CODE_USED',
      'WECHAT_RISK_BLOCKED',
      'WECHAT_RATE_LIMITED',
      'WECHAT_BAD_GATEWAY',
      'WECHAT_UNAVAILABLE',
      'SESSION_STORE_UNAVAILABLE',
      'DATABASE_UNAVAILABLE',
    ],
  },
  logout: {
    summary: 'End the calling session (idempotent: an unknown token also gets 204)',
    responses: [{ status: 204, description: 'Session ended, or there was none' }],
    errors: ['SESSION_STORE_UNAVAILABLE'],
  },
  list: {
    summary: "List the caller's live sessions (devices); the current one is marked",
    responses: [{ status: 200, type: SessionSummaryDto, isArray: true }],
    errors: [],
  },
  revoke: {
    summary: 'Revoke one of the caller’s sessions',
    responses: [{ status: 204, description: 'Revoked' }],
    errors: ['SESSION_NOT_FOUND'],
  },
  revokeAll: {
    summary: 'Revoke every session of the caller, this one included',
    responses: [{ status: 204, description: 'All revoked' }],
    errors: [],
  },
};

/** What every `@Authenticated()` route may answer besides its own errors. */
const AUTHENTICATED_ERRORS: ErrorCode[] = ['SESSION_INVALID', 'SESSION_EXPIRED', 'SESSION_STORE_UNAVAILABLE'];

function errorResponses(codes: ErrorCode[]): MethodDecorator[] {
  return Object.entries(describeErrors(...codes)).map(([status, description]) =>
    ApiResponse({ status: Number(status), type: ErrorResponseDto, description }),
  );
}

/** Methods already described: Swagger's decorators append, so describing twice would repeat text. */
const described = new WeakSet<object>();

/**
 * Adds the auth module's routes and every `@Authenticated()` route of the app to the OpenAPI document:
 * call it before `SwaggerModule.createDocument(app, config)`, and register the bearer scheme there as
 * `addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque' }, BEARER_SCHEME)` (Nest's
 * default format, JWT, would be wrong: the token is random). Needs `@nestjs/swagger`, which
 * the rest of the package does not.
 * @publicApi
 */
export function documentAuthApi(app: INestApplication, options: DocumentAuthApiOptions = {}): void {
  if (!described.has(AuthController)) {
    described.add(AuthController);
    ApiTags('auth')(AuthController);
    for (const [name, route] of Object.entries(AUTH_ROUTES) as [Method, (typeof AUTH_ROUTES)[Method]][]) {
      const decorators = [
        ApiOperation({ summary: route.summary }),
        ...route.responses.map((response) => ApiResponse(response)),
        ...errorResponses(route.errors),
      ];
      if (route.body) decorators.push(ApiBody({ type: route.body }));
      decorate(AuthController.prototype, name, decorators);
    }
    ApiProperty({ type: options.userSnapshot ?? Object, nullable: true })(LoginResponseDto.prototype, 'user');
    // The web login's routes (in the document only when the app declares them: oauthRoutes).
    documentOAuthApi();
  }
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype === 'function') documentAuthenticatedRoutes(metatype.prototype as object);
    }
  }
}

function documentAuthenticatedRoutes(prototype: object): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const handler = (prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function' || described.has(handler)) continue;
    if (Reflect.getMetadata(AUTHENTICATED_ROUTE_KEY, handler) !== true) continue;
    described.add(handler);
    decorate(prototype, name, [ApiBearerAuth(BEARER_SCHEME), ...errorResponses(AUTHENTICATED_ERRORS)]);
  }
}

function decorate(prototype: object, name: string, decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
  for (const decorator of decorators) decorator(prototype, name, descriptor);
}
