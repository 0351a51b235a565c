import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { mkdirSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module.js';
import { ErrorResponseFilter } from './common/error-response.filter.js';
import { RouteMethods } from './common/route-methods.js';
import type { AllConfig } from './config/config.type.js';
import { validateEnv } from './config/env.validation.js';
import { rateLimitConfig } from './config/rate-limit.config.js';
import { serverConfig } from './config/server.config.js';
import { createRootLogger } from './logging/root-logger.js';
import { lazyChildLogger } from './logging/lazy-request-logger.js';
import { NestPinoLogger } from './logging/nest-logger.js';
import { generateRequestId } from './logging/request-id.js';
import { registerRequestLogging } from './logging/request-logging.js';
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
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), adapter, {
    abortOnError: false,
    bufferLogs: true,
  });
  app.useLogger(new NestPinoLogger(rootLogger));
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: a text/plain body would otherwise reach validation as a string instead of a clean 415.
  fastify.removeContentTypeParser(['text/plain']);
  const routes = new RouteMethods();
  routes.register(fastify);
  registerRequestLogging(fastify, rootLogger);
  const limits = rateLimitConfig();
  if (limits.enabled) {
    new TokenGuessingLimiter(app.get(RateLimitStore), limits.failedTokensPerMinute).register(fastify);
  }
  app.useGlobalFilters(new ErrorResponseFilter(routes));
  registerUploads(app);
  setupSwagger(app);
  return app;
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
