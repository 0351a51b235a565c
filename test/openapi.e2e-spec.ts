import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEnv } from '../src/config/env.validation.js';
import { isSwaggerEnabled } from '../src/config/swagger.config.js';
import { DEVELOPMENT_WECHAT_APP } from '../src/config/wechat.config.js';
import { http } from './support/http.js';
import { startTestApp } from './support/test-app.js';
import { startTestStack, type TestStack } from './support/test-stack.js';
import { VALID_PRODUCTION_ENV } from './support/env-problems.js';

/** The API as the README's API section describes it; the document and the router must both say exactly this. */
const EXPECTED_ROUTES = [
  'DELETE /admin/users/{id}',
  'DELETE /admin/users/{id}/sessions',
  'DELETE /admin/users/{id}/sessions/{sessionId}',
  'DELETE /auth/sessions',
  'DELETE /auth/sessions/{id}',
  'DELETE /users/me',
  'GET /admin/audit',
  'GET /admin/users',
  'GET /admin/users/{id}',
  'GET /auth/sessions',
  'GET /avatars/{file}',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /users/me',
  'GET /users/me/export',
  'PATCH /users/me',
  'POST /admin/users/{id}/ban',
  'POST /admin/users/{id}/merge',
  'POST /admin/users/{id}/unban',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /auth/session-key/check',
  'POST /users/me/avatar',
  'POST /users/me/decrypt',
  'POST /users/me/phone',
  'PUT /users/me',
];
/** Operator routes: an operator credential's, not a user session's. */
const ADMIN_ROUTES = [
  'GET /admin/audit',
  'DELETE /admin/users/{id}',
  'DELETE /admin/users/{id}/sessions',
  'DELETE /admin/users/{id}/sessions/{sessionId}',
  'GET /admin/users',
  'GET /admin/users/{id}',
  'POST /admin/users/{id}/ban',
  'POST /admin/users/{id}/merge',
  'POST /admin/users/{id}/unban',
];
const PUBLIC_ROUTES = [
  'GET /avatars/{file}',
  'GET /health/live',
  'GET /health/ready',
  // Not a user session's: an operator credential's (its own security scheme).
  'GET /metrics',
  ...ADMIN_ROUTES,
  'POST /auth/login',
  'POST /auth/logout',
];
const OPENID_SHAPED = /\bo[A-Za-z0-9_-]{27}\b/;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

type Operation = {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
};

/** Every route the Nest router registers, as `METHOD /path/{param}`, read from controller metadata. */
function registeredRoutes(stack: TestStack): string[] {
  const routes: string[] = [];
  for (const module of stack.app.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const path = ['', base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? '')]
          .join('/')
          .replace(/\/+/g, '/')
          .replace(/\/$/, '')
          .replace(/:(\w+)/g, '{$1}');
        routes.push(`${RequestMethod[method]} ${path}`);
      }
    }
  }
  return routes.sort();
}

function operations(document: any): [string, Operation][] {
  return Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]): [string, Operation] => [`${method.toUpperCase()} ${path}`, operation]),
  );
}

/** Every `example` / `examples` value anywhere in the document. */
function examplesIn(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((item) => examplesIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'example' || key === 'examples') found.push(child);
      else examplesIn(child, found);
    }
  }
  return found;
}

describe('OpenAPI document and Swagger UI', () => {
  let stack: TestStack;
  let document: any;

  beforeAll(async () => {
    stack = await startTestStack('openapi');
    const response = await http('GET', `${stack.url}/docs-json`);
    expect(response.status).toBe(200);
    document = response.body;
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('is OpenAPI 3 and documents exactly the routes the app registers', () => {
    expect(document.openapi).toMatch(/^3\./);
    const documented = operations(document)
      .map(([route]) => route)
      .sort();
    expect(registeredRoutes(stack)).toEqual(EXPECTED_ROUTES);
    expect(documented).toEqual(EXPECTED_ROUTES);
  });

  test("the login example's appid is the development app's, so Swagger's prefilled body works in development", () => {
    expect(document.components.schemas.LoginRequestDto.properties.appid.example).toBe(
      DEVELOPMENT_WECHAT_APP.appid,
    );
  });

  test('every route has a summary, and every guarded route the bearer scheme', () => {
    // The token is random and opaque: not a JWT, which is what Nest's addBearerAuth() says by default.
    expect(document.components.securitySchemes.session).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque' }),
    );
    for (const [route, operation] of operations(document)) {
      expect({ route, summary: operation.summary?.length ?? 0 }).toEqual({
        route,
        summary: expect.any(Number),
      });
      expect(operation.summary!.length).toBeGreaterThan(10);
      const secured = operation.security?.some((requirement) => 'session' in requirement) ?? false;
      expect({ route, secured }).toEqual({ route, secured: !PUBLIC_ROUTES.includes(route) });
    }
  });

  test('every error response names its code and uses the common error body', () => {
    for (const [route, operation] of operations(document)) {
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      if (!PUBLIC_ROUTES.includes(route))
        expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['401']));
      for (const [status, response] of errors) {
        expect({ route, status, description: response.description }).toEqual({
          route,
          status,
          description: expect.stringMatching(/`[A-Z][A-Z_]+`/),
        });
        expect({ route, status, schema: response.content?.['application/json']?.schema.$ref }).toEqual({
          route,
          status,
          schema: '#/components/schemas/ErrorResponseDto',
        });
      }
    }
  });

  test('every DTO property carries an example', () => {
    for (const [name, schema] of Object.entries(document.components.schemas as Record<string, any>)) {
      for (const [property, definition] of Object.entries(schema.properties ?? {}) as [string, any][]) {
        const hasExample =
          definition.example !== undefined || definition.$ref !== undefined || definition.allOf;
        expect({ dto: `${name}.${property}`, hasExample: Boolean(hasExample) }).toEqual({
          dto: `${name}.${property}`,
          hasExample: true,
        });
      }
    }
  });

  test('no schema or example mentions session_key, sessionKey, secret or an openid', () => {
    const schemas = JSON.stringify(document.components.schemas);
    const examples = JSON.stringify(examplesIn(document));
    for (const text of [schemas, examples]) {
      expect(text).not.toMatch(/session_key|sessionKey|secret/i);
      expect(text).not.toMatch(OPENID_SHAPED);
    }
    expect(JSON.stringify(document)).not.toMatch(OPENID_SHAPED);
  });

  test('serves the UI page and its assets at /docs', async () => {
    const page = await http('GET', `${stack.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (const asset of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-init.js']) {
      expect(page.text).toContain(`/docs/${asset}`);
      const response = await fetch(`${stack.url}/docs/${asset}`);
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
      await response.arrayBuffer();
    }
  });
});

describe('Swagger switch', () => {
  test('on by default outside production, off in production unless SWAGGER_ENABLED=true', () => {
    const enabled = (env: Record<string, string>) => isSwaggerEnabled(validateEnv(env));
    expect(enabled({})).toBe(true);
    expect(enabled({ NODE_ENV: 'test' })).toBe(true);
    expect(enabled({ NODE_ENV: 'development', SWAGGER_ENABLED: 'false' })).toBe(false);
    const production = VALID_PRODUCTION_ENV;
    expect(enabled(production)).toBe(false);
    expect(enabled({ ...production, SWAGGER_ENABLED: 'true' })).toBe(true);
    expect(enabled({ ...production, SWAGGER_ENABLED: 'false' })).toBe(false);
    expect(() => validateEnv({ SWAGGER_ENABLED: 'maybe' })).toThrow(/SWAGGER_ENABLED/);
  });

  test('a disabled switch serves neither /docs nor /docs-json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weapp-openapi-'));
    const app = await startTestApp({
      NODE_ENV: 'development',
      SQLITE_PATH: join(dir, 'dev.sqlite'),
      AVATAR_DIR: join(dir, 'avatars'),
      SWAGGER_ENABLED: 'false',
    });
    try {
      expect((await http('GET', `${app.url}/docs`)).status).toBe(404);
      expect((await http('GET', `${app.url}/docs-json`)).status).toBe(404);
      expect((await http('GET', `${app.url}/health/live`)).status).toBe(200);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
