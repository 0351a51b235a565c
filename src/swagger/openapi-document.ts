import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import * as swagger from '@nestjs/swagger';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { OPERATOR_SCHEME } from '../admin/operator-only.decorator.js';
import { BEARER_SCHEME } from '../auth/index.js';
import * as auth from '../auth/openapi/index.js';
import { UserProfileDto } from '../profile/dto/user-profile.dto.js';
import type { AllConfig } from '../config/config.type.js';
import { DEVELOPMENT_WECHAT_APP } from '../config/wechat.config.js';
import { replayApiDocs } from './api-docs.decorators.js';
import { serveSwaggerUi } from './swagger-ui.js';

// Loaded by setup-swagger.ts only when the docs are on: everything here needs @nestjs/swagger.

/** The OpenAPI document of every route the app registers. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('weapp-auth')
    .setDescription(
      'Login backend for WeChat Mini Programs. Log in with `POST /auth/login` and a `wx.login()` code, then ' +
        'send `Authorization: Bearer <token>`. Every error body is `{ statusCode, code, message, requestId }`; ' +
        'clients branch on `code`.' +
        developmentHowTo(app),
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // Nest's default format is JWT: this token is a random string, checked against the session store.
        bearerFormat: 'opaque',
        description: 'The `token` from `POST /auth/login`',
      },
      BEARER_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'opaque',
        description: 'An operator credential from `OPERATOR_CREDENTIALS` (`npm run operator:credential`)',
      },
      OPERATOR_SCHEME,
    )
    .build();
  // The app's own descriptions first: documentAuthApi adds to the @Authenticated() routes among them.
  replayApiDocs({ swagger, auth });
  auth.documentAuthApi(app, { userSnapshot: UserProfileDto });
  return SwaggerModule.createDocument(app, config);
}

/** In development with the built-in simulator: how to get a login code and authorise on this page. */
function developmentHowTo(app: INestApplication): string {
  const wechat = app.get<ConfigService<AllConfig, true>>(ConfigService).get('wechat', { infer: true });
  if (!wechat.useSimulator) return '';
  const mint =
    `curl -X POST ${wechat.baseUrl}/__sim/login-codes -H 'content-type: application/json' ` +
    `-d '{"appid":"${DEVELOPMENT_WECHAT_APP.appid}"}'`;
  return (
    '\n\n**Development mode: trying it here.** Login codes come from the built-in WeChat simulator at ' +
    `${wechat.baseUrl}. Mint one in a terminal with \`${mint}\` (or run the login command the start-up ` +
    "banner prints), paste its `code` into `POST /auth/login`'s prefilled body under *Try it out*, and " +
    'execute. Put the `token` of the answer into **Authorize**: every other route then works. A code is ' +
    'single use; mint another for the next login.'
  );
}

/** Serves Swagger UI at `/<uiPath>` and the document at `/<jsonPath>`. */
export function serveOpenApi(app: INestApplication, uiPath: string, jsonPath: string): void {
  // The document is built on first request, when every module's routes are known.
  SwaggerModule.setup(uiPath, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: jsonPath,
    raw: ['json'],
    ui: false,
  });
  serveSwaggerUi(app, `/${uiPath}`, `/${jsonPath}`, 'weapp-auth API');
}
