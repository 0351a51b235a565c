import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.type.js';

/** Where the UI and the OpenAPI 3 JSON are served. @publicApi */
export const SWAGGER_UI_PATH = 'docs';
export const SWAGGER_JSON_PATH = 'docs-json';

/**
 * Serves Swagger UI at `/docs` and the document at `/docs-json` when the `swagger` config allows it
 * (always outside production; in production only with SWAGGER_ENABLED=true). Returns whether it did.
 * Only then does it load @nestjs/swagger (api-docs.decorators.ts says why).
 */
export async function setupSwagger(app: INestApplication): Promise<boolean> {
  const { enabled } = app.get<ConfigService<AllConfig, true>>(ConfigService).get('swagger', { infer: true });
  if (!enabled) return false;
  const { serveOpenApi } = await import('./openapi-document.js');
  serveOpenApi(app, SWAGGER_UI_PATH, SWAGGER_JSON_PATH);
  return true;
}
