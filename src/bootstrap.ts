import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyRequest } from 'fastify';
import { mkdirSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { apiError } from './common/error-catalogue.js';
import { ErrorResponseFilter } from './http/error-response.filter.js';
import { registerJsonBodyParser } from './http/json-body-parser.js';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.js';
import { RouteMethods } from './http/route-methods.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import type { AllConfig } from './config/config.type.js';
import { validateEnv } from './config/env.validation.js';
import { metricsConfig } from './config/metrics.config.js';
import { rateLimitConfig } from './config/rate-limit.config.js';
import { serverConfig } from './config/server.config.js';
import { createRootLogger } from './logging/root-logger.js';
import { lazyChildLogger } from './logging/lazy-request-logger.js';
import { NestPinoLogger } from './logging/nest-logger.js';
import { generateRequestId } from './logging/request-id.js';
import { registerRequestLogging } from './logging/request-logging.js';
import { RequestMetricsHook } from './metrics/request-metrics.hook.js';
import { RateLimitStore } from './rate-limit/rate-limit.store.js';
import { TokenGuessingLimiter } from './rate-limit/token-guessing.limiter.js';
import { setupSwagger } from './swagger/setup-swagger.js';

/** JSON bodies larger than this are refused with 413: login and profile payloads are tiny. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

export interface CreateAppOptions {
  /** Where log lines go (default stdout). Tests pass a stream to read them back. */
  logDestination?: DestinationStream;
}

/**
 * Builds the configured application without listening, for main.ts and for tests
 * (which listen on an ephemeral port and talk real HTTP).
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  // Validate before Nest starts, so a bad environment yields one clear list and no framework stack trace.
  validateEnv(process.env);
  const server = serverConfig();
  const rootLogger = createRootLogger(server.logLevel, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: rootLogger,
    // Fastify's own two lines per request are replaced by one line of ours (logging/request-logging.ts).
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    childLoggerFactory: lazyChildLogger,
    genReqId: generateRequestId,
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    trustProxy: server.trustProxy,
    schemaController: { compilersFactory: lazySchemaCompilers() },
    ...slowClientLimits(server.requestTimeoutMs),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    abortOnError: false,
    bufferLogs: true,
  });
  app.useLogger(new NestPinoLogger(rootLogger));
  const fastify = app.getHttpAdapter().getInstance();
  registerSecurityHeaders(fastify, { hstsMaxAge: server.hstsMaxAge });
  registerJsonBodyParser(app);
  rejectNonJsonBodies(app);
  const routes = new RouteMethods();
  routes.register(fastify);
  registerRequestLogging(fastify, rootLogger);
  if (metricsConfig().enabled) app.get(RequestMetricsHook).register(fastify);
  const limits = rateLimitConfig();
  if (limits.enabled) {
    new TokenGuessingLimiter(app.get(RateLimitStore), limits.failedTokensPerMinute).register(fastify);
  }
  app.useGlobalFilters(new ErrorResponseFilter(routes));
  registerUploads(app);
  await setupSwagger(app);
  return app;
}

/**
 * Slow or stalled clients (a body trickled a byte at a time, an upload that stops halfway) are cut off
 * after `timeoutMs` with 408 and the connection closed, so they cannot hold sockets and upload buffers.
 * Fastify leaves both timeouts at 0 (off, also switching off Node's own 300 s default). Node enforces
 * `requestTimeout` on the whole request, headers and body, whoever reads the body (the JSON parser or
 * the avatar route's multipart stream), but only checks every `connectionsCheckingInterval` (default
 * 30 s), hence the shorter interval. `connectionTimeout` closes a socket idle twice that long (a client
 * that stops reading its response); twice, so that a stalled request gets its 408 first.
 */
function slowClientLimits(timeoutMs: number) {
  return {
    requestTimeout: timeoutMs,
    connectionTimeout: 2 * timeoutMs,
    http: {
      requestTimeout: timeoutMs,
      headersTimeout: Math.min(timeoutMs, 60_000),
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeoutMs / 10))),
    },
  };
}

/**
 * JSON only (and multipart for the avatar, registerUploads): any other body is a 415 that names the
 * header to send. Otherwise text/plain would reach validation as a string, and curl -d's default type,
 * form-urlencoded (which Nest parses on init unless a parser is registered through it), as
 * `{ '{"code":"…"}': '' }`: a baffling "property … should not exist".
 */
function rejectNonJsonBodies(app: NestFastifyApplication): void {
  const notJson = (request: FastifyRequest, _body: Buffer, done: (error: Error) => void) =>
    done(
      apiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Send the body as JSON with the header Content-Type: application/json ` +
          `(this request said ${request.headers['content-type'] || 'nothing'})`,
      ),
    );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  app.useBodyParser('application/x-www-form-urlencoded', {}, notJson);
  // Fastify's catch-all, not Nest's useBodyParser('*'): that would stop Nest adding its JSON parser.
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, notJson);
}

/**
 * Multipart bodies (wx.uploadFile) reach the avatar route unread: it streams the file part itself
 * (profile/multipart-file.ts), under its own limits rather than the JSON body limit. Avatars are
 * served back by the profile module's `GET /avatars/:file`.
 */
function registerUploads(app: NestFastifyApplication): void {
  const { avatarDir } = app
    .get<ConfigService<AllConfig, true>>(ConfigService)
    .get('profile', { infer: true });
  mkdirSync(avatarDir, { recursive: true });
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
}
