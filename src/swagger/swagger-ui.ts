import type { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The swagger-ui-dist files the page loads, with their content types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

interface Reply {
  type(contentType: string): Reply;
  header(name: string, value: string): Reply;
  send(body: string | Buffer): unknown;
}

/**
 * Serves Swagger UI at `uiPath`, loading the document from `jsonPath`.
 *
 * Why not `SwaggerModule.setup({ ui: true })`: on Fastify it serves the UI assets through
 * @fastify/static, whose content-disposition@3 dependency is ESM-only; jest's CommonJS loader cannot
 * `require` it, so every app built under jest would fail to start (the same trap as light-my-request,
 * see known-facts). The page and three files below are all the UI needs.
 */
export function serveSwaggerUi(app: INestApplication, uiPath: string, jsonPath: string, title: string): void {
  // swagger-ui-dist is @nestjs/swagger's dependency: resolve it from there, as Nest itself does.
  const fromSwagger = createRequire(createRequire(import.meta.url).resolve('@nestjs/swagger'));
  const assetsDir = dirname(fromSwagger.resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();
  const asset = (name: string) => {
    let bytes = cache.get(name);
    if (!bytes) cache.set(name, (bytes = readFileSync(join(assetsDir, name))));
    return bytes;
  };

  const html = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>${title}</title>
    <link rel="stylesheet" href="${uiPath}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${uiPath}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${uiPath}/swagger-ui-bundle.js"></script>
    <script src="${uiPath}/swagger-ui-init.js"></script>
  </body>
</html>
`;
  const init = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(jsonPath)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

  const http = app.getHttpAdapter();
  const page = (_request: unknown, reply: Reply) => reply.type('text/html; charset=utf-8').send(html);
  http.get(uiPath, page);
  http.get(`${uiPath}/`, page);
  http.get(`${uiPath}/swagger-ui-init.js`, (_request: unknown, reply: Reply) =>
    reply.type('application/javascript; charset=utf-8').send(init),
  );
  for (const [name, contentType] of Object.entries(ASSETS)) {
    http.get(`${uiPath}/${name}`, (_request: unknown, reply: Reply) =>
      reply.type(contentType).header('Cache-Control', 'public, max-age=86400').send(asset(name)),
    );
  }
}
